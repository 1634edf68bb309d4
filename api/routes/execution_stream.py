"""`/api/execution/{execution_id}/stream`: one execution's events, replayed then live.

The socket closes (1000) after the terminal event. Each viewer holds one poll on the
execution's workflow, which allows ten in flight: plenty for an execution's viewers.
"""

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from temporalio.contrib.workflow_streams import WorkflowStreamClient

from api.edge import admit
from api.executions import Executions, UnknownExecution
from models.events import EVENTS_TOPIC, StreamEvent
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
    stream = WorkflowStreamClient.create(
        websocket.app.state.client, execution_workflow_id(execution_id)
    )
    try:
        async for item in stream.subscribe(
            [EVENTS_TOPIC], result_type=_EVENT_TYPE, poll_cooldown=timedelta(0)
        ):
            body = item.data.model_dump(mode="json")
            kind = body.pop("type")
            frame = {"type": kind, "offset": item.offset + 1, "session_id": view.session_id, **body}
            await websocket.send_text(json.dumps(frame))
            if kind in TERMINAL:
                break
    except WebSocketDisconnect:
        return
    await websocket.close(1000, "execution finished")
