"""`POST /internal/agent/delta`: a piece of an LLM agent's reply, from the worker, handed
to this process's sockets of its session as a transient `agent.delta` frame.

Internal: only the worker posts here, with the shared `delta_secret` as its bearer token
(compared in constant time, never logged). Without a configured secret the endpoint
refuses everything, so an API without one takes no deltas. Nothing is stored: a session
with no socket in this process simply drops the piece (its durable `agent.message` comes).
"""

import hmac

from fastapi import APIRouter, Depends, HTTPException, Request

from api.deps import SettingsDep
from api.hub import StreamHub
from api.wire import delta_frame
from models.agents import DELTA_PATH, AgentDelta

router = APIRouter()


def _the_worker(request: Request, settings: SettingsDep) -> None:
    """Refused without the secret (403 when none is configured, 401 when it is wrong),
    before the body is even validated."""
    if settings.delta_secret is None:
        raise HTTPException(status_code=403, detail="agent deltas are off: no delta secret")
    expected = f"Bearer {settings.delta_secret.get_secret_value()}".encode()
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        raise HTTPException(status_code=401, detail="agent deltas need the delta secret")


@router.post(DELTA_PATH, include_in_schema=False, dependencies=[Depends(_the_worker)])
async def agent_delta(delta: AgentDelta, request: Request) -> dict[str, int]:
    """Hand the piece to the session's sockets here; how many took it."""
    hub: StreamHub = request.app.state.hub
    return {"delivered": hub.transient(delta.session_id, delta_frame(delta))}
