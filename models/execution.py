"""Runtime payloads: one intent execution, its realm step and its outcome."""

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from models.events import ExecutionError, ExecutionEvent
from models.intents import Intent, Realm

EXECUTION_EVENT_SIGNAL = "execution_event"
"""Signal an observing workflow (a session) receives each execution event by.

The Runtime knows nothing of conversations: it only forwards its events to the
workflow id it was given, under this name.
"""


class ExecutionInput(BaseModel):
    """Start an intent execution; `observer_workflow_id` receives its events."""

    execution_id: str
    intent: Intent
    user_id: str
    session_id: str | None = None
    turn_id: str | None = None
    observer_workflow_id: str | None = None
    retry_of: str | None = None


OutcomeStatus = Literal["completed", "failed", "cancelled"]
RETRYABLE: frozenset[str] = frozenset(("failed", "cancelled"))
"""The outcomes a user may retry; a completed execution is run again, not retried."""
ViewStatus = Literal["validating", "running", "completed", "failed", "cancelled"]


class ExecutionOutcome(BaseModel):
    """How an execution ended; the execution workflow's result."""

    execution_id: str
    status: OutcomeStatus
    intent: Intent
    attempts: int
    result: dict[str, Any] | None = None
    error: ExecutionError | None = None


class ValidatedIntent(BaseModel):
    """An intent the registry accepted: realm, normalized params and time bounds."""

    name: str
    realm: Realm
    params: dict[str, Any] = Field(default_factory=dict)
    start_to_close: timedelta
    schedule_to_close: timedelta
    needs_approval: bool = False


class RealmTask(BaseModel):
    """One realm step: run a validated intent on behalf of a user."""

    execution_id: str
    user_id: str
    intent: ValidatedIntent


class RealmResult(BaseModel):
    """A realm's compact result: summaries and references, never raw bytes or tables."""

    result: dict[str, Any]
    attempt: int = 1


REALM_PROGRESS_SIGNAL = "realm_progress"
"""Signal a realm activity sends its own execution: a retry began, or work moved on."""


class RealmProgress(BaseModel):
    """The payload of `REALM_PROGRESS_SIGNAL`; no `message` means "attempt started"."""

    attempt: int
    message: str | None = None
    percent: float | None = None


class ExecutionEventSignal(BaseModel):
    """The payload of `EXECUTION_EVENT_SIGNAL`."""

    event: ExecutionEvent


class ExecutionView(BaseModel):
    """An execution as `GET /api/executions/{id}` shows it (the `view` query)."""

    execution_id: str
    user_id: str
    session_id: str | None
    turn_id: str | None
    intent: Intent
    status: ViewStatus
    attempts: int
    result: dict[str, Any] | None = None
    error: ExecutionError | None = None
    retry_of: str | None = None
