"""What agents take in and hand back: analysis and recommendations, never execution."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from models.files import FileRef
from models.intents import Intent, Realm
from models.query import TableSchema


class Route(StrEnum):
    """How the Guide Agent sends a message on."""

    DIRECT = "direct"
    LIAISON = "liaison"
    COLLABORATION = "collaboration"
    CLARIFY = "clarify"


class LastExecution(BaseModel):
    """The session's newest execution: what "retry that" and "do the same" refer to."""

    execution_id: str
    intent: Intent
    status: str


class TurnContext(BaseModel):
    """What an agent knows about the turn: the message, the session's files and history."""

    text: str
    attached: list[FileRef] = Field(default_factory=list)
    session_files: list[FileRef] = Field(default_factory=list)
    focus: list[FileRef] = Field(default_factory=list)
    """Session files the message names ("profile orders.csv"): what liaisons work on."""
    pending_options: list[str] = Field(default_factory=list)
    """The options of the guide's last clarifying question, if the user is answering it."""
    active_pillar: Realm | None = None
    """The liaison that helped in the last turn: follow-ups go back to it."""
    last_execution: LastExecution | None = None
    tables: list[TableSchema] = Field(default_factory=list)
    """Schemas of the files in scope, filled in for the Insights liaison when the message
    asks about the data (the liaison checks a question's columns against them)."""


class Recommendation(BaseModel):
    """An agent's structured answer: words for the user and intents for the Runtime."""

    agent: str
    text: str
    next_steps: list[str] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    retry_of: str | None = None
    """The execution these intents run again ("retry that"), linked as a user retry."""
    approvals: list[str] | None = None
    """Which of `intents` wait for the user's approval, from the catalog (stamped by the
    agents' activities; None in results written before the catalog said)."""


class Analysis(BaseModel):
    """The Guide Agent's decision about one message."""

    route: Route
    agents: list[str]
    pillar: Realm | None = None
    pillars: list[Realm] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str
    recommendation: Recommendation | None = None
    options: list[str] = Field(default_factory=list)
    """With `clarify`: the labels the question offers, remembered for the answer."""
    focus: list[str] = Field(default_factory=list)
    """File ids the message names."""


class ReplyTo(BaseModel):
    """Where a liaison's words go while the model writes them: the session's sockets,
    as transient `agent.delta` frames of this turn (see `AgentDelta`)."""

    session_id: str
    turn_id: str


class LiaisonInput(BaseModel):
    """A liaison is asked to turn the turn into an intent for its pillar."""

    pillar: Realm
    context: TurnContext
    reply_to: ReplyTo | None = None
    """Set when the liaison's words are the turn's reply (the liaison route; a consulted
    liaison's view is not): an LLM liaison streams them there as it writes them."""


DELTA_PATH = "/internal/agent/delta"
"""The API's endpoint for `AgentDelta`s, guarded by the shared `delta_secret`."""


class AgentDelta(BaseModel):
    """A piece of an agent's reply while the model writes it, from the worker to the API.

    Transient: never in Temporal history, never replayed. `attempt` counts the model's
    calls for this reply (a Temporal retry of the agent, or a call sent back), so a
    client keeps only the text of the highest attempt; the turn's durable `agent.message`
    replaces it all."""

    session_id: str = Field(pattern="^[0-9a-f]{32}$")
    turn_id: str = Field(min_length=1, max_length=64)
    agent: str = Field(min_length=1, max_length=64)
    attempt: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=16_000)


class CollaborationInput(BaseModel):
    """The Collaboration Router merges the liaisons' views into one plan."""

    context: TurnContext
    views: list[Recommendation]


class SummaryInput(BaseModel):
    """After an execution, the agent that recommended it tells the user what came of it."""

    agent: str
    intent: Intent
    status: str
    result: dict[str, Any] | None = None
    error_message: str | None = None
