"""`/api/execution/{execution_id}/stream`: one execution's events, replayed then live.

The socket closes (1000) after the terminal event, with 1008 when its token expires
(like the agent socket), and with 1013 while Temporal does not answer. Each viewer holds
one poll on the execution's workflow, which allows ten in flight: plenty for an
execution's viewers.
"""

import asyncio
import time
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from temporalio.contrib.workflow_streams import WorkflowStreamClient

from api.auth import Identity
from api.availability import TemporalUnavailable
from api.edge import admit
from api.executions import Executions, UnknownExecution
from api.wire import UNAVAILABLE, event_frame
from models.events import EVENTS_TOPIC, StreamEvent
from models.execution import ExecutionView
from models.search import execution_workflow_id

router = APIRouter()
TERMINAL = frozenset(("execution.completed", "execution.failed", "execution.cancelled"))
_EVENT_TYPE: Any = StreamEvent


@router.websocket("/api/execution/{execution_id}/stream")
async def execution_stream(websocket: WebSocket, execution_id: str) -> None:
    """Only the execution's owner may watch it (1008 otherwise)."""
    admitted = await admit(websocket)
    if admitted is None:
        return
    executions: Executions = websocket.app.state.executions
    await websocket.accept(subprotocol=admitted.subprotocol)
    try:
        view = await executions.view(execution_id, admitted.identity.user_id)
    except UnknownExecution:
        await websocket.close(1008, "unknown execution")
        return
    except TemporalUnavailable:
        await websocket.close(1013, UNAVAILABLE)
        return
    try:
        async with asyncio.timeout(_until_expiry(admitted.identity)) as deadline:
            await _forward(websocket, view)
    except WebSocketDisconnect:
        return
    except TimeoutError:
        if not deadline.expired():
            raise
        await websocket.close(1008, "token expired")
        return
    await websocket.close(1000, "execution finished")


async def _forward(websocket: WebSocket, view: ExecutionView) -> None:
    """The execution's events in order, through its terminal one."""
    stream = WorkflowStreamClient.create(
        websocket.app.state.client, execution_workflow_id(view.execution_id)
    )
    async for item in stream.subscribe(
        [EVENTS_TOPIC], result_type=_EVENT_TYPE, poll_cooldown=timedelta(0)
    ):
        await websocket.send_text(event_frame(item.data, item.offset + 1, view.session_id))
        if item.data.type in TERMINAL:
            return


def _until_expiry(identity: Identity) -> float | None:
    """Seconds the caller's token has left (None: it does not expire, local mode)."""
    return None if identity.expires_at is None else max(0.0, identity.expires_at - time.time())
