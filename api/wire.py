"""What the server sends on its sockets: the JSON text of every server -> client frame.

Both sockets (the agent socket and an execution's stream) send stream events in the
contract's one form: the event's fields with its `type`, contract `offset` and
`session_id`, and `turn_id` only where the event belongs to a turn.
"""

import json
from collections.abc import Callable

from models.agents import AgentDelta
from models.events import StreamEvent

PROTOCOL_VERSION = "1"
PONG = json.dumps({"type": "pong"})
UNAVAILABLE = "the service is briefly unavailable: reconnect later"
"""The reason of a 1013 close (try again later) while Temporal does not answer."""


def event_frame(
    event: StreamEvent,
    offset: int,
    session_id: str | None,
    link: Callable[[str], str] | None = None,
) -> str:
    """A stream event at its contract offset; with `link`, `intent.created` names the
    execution's page in the Temporal UI."""
    body = event.model_dump(mode="json")
    if body.get("turn_id") is None:
        body.pop("turn_id", None)
    if link is not None and body["type"] == "intent.created":
        body["temporal_ui_url"] = link(body["execution_id"])
    kind = body.pop("type")
    return json.dumps({"type": kind, "offset": offset, "session_id": session_id, **body})


def delta_frame(delta: AgentDelta) -> str:
    """A piece of an agent's reply while the model writes it, as the contract's additions
    name it (the piece is `delta`): no offset (never replayed); the turn's `agent.message`
    replaces the pieces, a higher `attempt` those before it."""
    body = delta.model_dump(mode="json", exclude={"text"})
    return json.dumps({"type": "agent.delta", **body, "delta": delta.text})


def ready_frame(session_id: str, *, resumed: bool, offset: int) -> str:
    """The agent socket's first frame: its session and the newest offset it holds."""
    return json.dumps(
        {
            "type": "session.ready",
            "session_id": session_id,
            "resumed": resumed,
            "offset": offset,
            "protocol": PROTOCOL_VERSION,
        }
    )


def error_frame(code: str, message: str, ref: str | None) -> str:
    """The contract's error frame (no offset: never replayed)."""
    return json.dumps({"type": "error", "code": code, "message": message, "ref": ref})
