"""`/api/runtime/agent` (and `/api/experience/agent`): one session per socket.

The route only wires a socket to this process's parts (`app.state`): the transport is
`api/transport.py`, what each frame asks of the session `api/commands.py`.
"""

from fastapi import APIRouter, WebSocket

from api.commands import Services
from api.edge import admit
from api.transport import AgentSocket

router = APIRouter()


@router.websocket("/api/runtime/agent")
@router.websocket("/api/experience/agent")
async def agent_socket(websocket: WebSocket) -> None:
    """The conversation endpoint of the contract."""
    admitted = await admit(websocket)
    if admitted is None:
        return
    state = websocket.app.state
    services = Services(
        settings=state.settings,
        conversations=state.conversations,
        executions=state.executions,
        store=state.store,
        caps=state.caps,
    )
    socket = AgentSocket(
        websocket,
        services=services,
        hub=state.hub,
        registry=state.sockets,
        identity=admitted.identity,
        meter=state.metrics.socket(),
    )
    await socket.serve(admitted.subprotocol)
