"""Experience Plane payloads: the session workflow's input, updates and state."""

from pydantic import BaseModel, Field
from temporalio.contrib.workflow_streams import WorkflowStreamState

from models.agents import LastExecution
from models.events import MessageAccepted
from models.files import FileRef
from models.intents import Intent, Realm

NOT_OWNER = "not_owner"
"""The error type of an Update refused because its sender does not own the session."""


class UserMessage(BaseModel):
    """One `user.message`, after the API checked it and resolved its files."""

    message_id: str
    text: str
    files: list[FileRef] = Field(default_factory=list)
    approve_all: bool = False
    """The client asked to approve every intent of this session before it runs."""
    trace: dict[str, str] = Field(default_factory=dict)
    """W3C trace context of the socket frame that carried it; the turn runs in that trace
    (empty when tracing is off)."""
    user_id: str | None = None
    """Who sends it; the session refuses a message from anyone but its owner."""


class Accepted(BaseModel):
    """The `submit` update's answer: the turn that message belongs to.

    `event` and `offset`: the turn's `message.accepted` and the stream offset it takes
    (none for a duplicate). The message is durable once the Update returns, so the API
    sends this event to the submitting socket at once, without waiting for the stream.
    """

    turn_id: str
    duplicate: bool = False
    event: MessageAccepted | None = None
    offset: int | None = None


class IntentRequest(BaseModel):
    """Run an intent in the session without an agent: from REST, or a retry."""

    intent: Intent
    retry_of: str | None = None
    trace: dict[str, str] = Field(default_factory=dict)
    """W3C trace context of the request that asked for it (see `UserMessage.trace`)."""
    user_id: str | None = None
    """Who asks; the session refuses anyone but its owner."""
    needs_approval: bool | None = None
    """The catalog's word, stamped by the API (None: written before the catalog said)."""


class IntentAccepted(BaseModel):
    """The `run_intent` update's answer: the turn and the execution it will start."""

    turn_id: str
    execution_id: str


class PendingTurn(BaseModel):
    """A recorded message, or a requested intent, waiting for its turn to run."""

    turn_id: str
    message: UserMessage | None = None
    intent: IntentRequest | None = None
    execution_id: str | None = None


class ConversationState(BaseModel):
    """Everything a session carries across continue-as-new."""

    session_id: str
    user_id: str
    files: list[FileRef] = Field(default_factory=list)
    queue: list[PendingTurn] = Field(default_factory=list)
    turns: int = 0
    message_turns: dict[str, str] = Field(default_factory=dict)
    executions: list[str] = Field(default_factory=list)
    published: int = 0
    history_bound: int = 8_000
    approval_timeout_seconds: float = 86_400.0
    approve_all: bool = False
    pending_options: list[str] = Field(default_factory=list)
    """The options of the guide's last clarifying question, until the next message."""
    active_pillar: Realm | None = None
    """The liaison that helped last; the guide hands follow-ups back to it."""
    last_execution: LastExecution | None = None
    idle_seconds: float | None = None
    """The session ends after this long with no turn (None: never, as before it existed)."""


class SessionInfo(BaseModel):
    """What the API needs to know about a session: its owner and how far it got."""

    session_id: str
    user_id: str
    turns: int
    queued: int
    executions: list[str]
    files: list[FileRef]
    offset: int


class ConversationInput(BaseModel):
    """Starts a session, or continues one from a previous run."""

    session_id: str
    user_id: str
    history_bound: int = 8_000
    """Continue-as-new no later than this many history events (from settings)."""
    approval_timeout_seconds: float = 86_400.0
    """How long a turn waits for `intent.approve`/`intent.reject` (from settings)."""
    idle_seconds: float | None = None
    """How long the session may go without a turn before it ends (from settings)."""
    state: ConversationState | None = None
    stream_state: WorkflowStreamState | None = None


class Decision(BaseModel):
    """`intent.approve` / `intent.reject` for the turn that waits on it."""

    turn_id: str
    approve: bool
    reason: str | None = None
    user_id: str | None = None
    """Who decides; the session refuses anyone but its owner."""
