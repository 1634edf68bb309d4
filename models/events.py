"""The contract's stream events, exactly as the socket sends them.

Workflows publish these into their durable stream; the API adds `offset` (the
event's position in the stream, from 1) and `session_id` when it forwards them.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from models.agents import Route
from models.intents import Intent

EVENTS_TOPIC = "events"


class _Event(BaseModel):
    ts: datetime
    turn_id: str | None = None


class MessageAccepted(_Event):
    type: Literal["message.accepted"] = "message.accepted"
    message_id: str


class AgentAnalysis(_Event):
    type: Literal["agent.analysis"] = "agent.analysis"
    route: Route
    agents: list[str]
    pillar: str | None
    confidence: float
    rationale: str


class AgentMessage(_Event):
    type: Literal["agent.message"] = "agent.message"
    agent: str
    text: str
    next_steps: list[str] = Field(default_factory=list)


class IntentPendingApproval(_Event):
    type: Literal["intent.pending_approval"] = "intent.pending_approval"
    intent: Intent
    reason: str


class IntentRejected(_Event):
    type: Literal["intent.rejected"] = "intent.rejected"
    reason: str


class IntentCreated(_Event):
    type: Literal["intent.created"] = "intent.created"
    execution_id: str
    intent: Intent
    retry_of: str | None = None


class ExecutionStarted(_Event):
    type: Literal["execution.started"] = "execution.started"
    execution_id: str
    attempt: int


class ExecutionProgress(_Event):
    type: Literal["execution.progress"] = "execution.progress"
    execution_id: str
    message: str
    percent: float | None = None


class ExecutionCompleted(_Event):
    type: Literal["execution.completed"] = "execution.completed"
    execution_id: str
    result: dict[str, Any]


class ExecutionError(BaseModel):
    """Why an execution failed, in words a user understands."""

    type: str
    message: str
    retryable: bool


class ExecutionFailed(_Event):
    type: Literal["execution.failed"] = "execution.failed"
    execution_id: str
    error: ExecutionError
    attempts: int


class ExecutionCancelled(_Event):
    type: Literal["execution.cancelled"] = "execution.cancelled"
    execution_id: str


TurnStatus = Literal["completed", "needs_input", "failed"]


class TurnCompleted(_Event):
    type: Literal["turn.completed"] = "turn.completed"
    status: TurnStatus


ExecutionEvent = Annotated[
    ExecutionStarted
    | ExecutionProgress
    | ExecutionCompleted
    | ExecutionFailed
    | ExecutionCancelled,
    Field(discriminator="type"),
]

StreamEvent = Annotated[
    MessageAccepted
    | AgentAnalysis
    | AgentMessage
    | IntentPendingApproval
    | IntentRejected
    | IntentCreated
    | ExecutionStarted
    | ExecutionProgress
    | ExecutionCompleted
    | ExecutionFailed
    | ExecutionCancelled
    | TurnCompleted,
    Field(discriminator="type"),
]
