"""`/api/executions/{id}`: status, chain of retries, cancel and retry over REST."""

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.deps import CapsDep, ClientDep, ExecutionsDep, SettingsDep, UserDep
from api.executions import ExecutionConflict, UnknownExecution, UnknownSession
from api.limits import RateLimited
from api.links import execution_link
from models.events import ExecutionError
from models.execution import ExecutionView, ViewStatus
from models.intents import Intent
from models.search import execution_workflow_id
from telemetry.tracing import workflow_trace_id

router = APIRouter()


class Attempt(BaseModel):
    """One execution in a retry chain."""

    execution_id: str
    status: ViewStatus
    attempts: int
    error: ExecutionError | None = None


class ExecutionDetails(BaseModel):
    execution_id: str
    session_id: str | None
    turn_id: str | None
    intent: Intent
    status: ViewStatus
    attempts: int
    result: dict[str, Any] | None
    error: ExecutionError | None
    retry_of: str | None
    chain: list[Attempt]
    temporal_ui_url: str
    trace_id: str | None = None
    """The OpenTelemetry trace the execution ran in (null when tracing is off)."""


class Retried(BaseModel):
    execution_id: str
    retry_of: str


@router.get("/api/executions/{execution_id}")
async def get_execution(
    execution_id: str,
    executions: ExecutionsDep,
    user: UserDep,
    settings: SettingsDep,
    client: ClientDep,
) -> ExecutionDetails:
    """The execution, with every earlier execution it retried (newest first)."""
    try:
        view = await executions.view(execution_id, user)
        chain = await executions.chain(view, user)
    except UnknownExecution as err:
        raise HTTPException(status_code=404, detail="unknown execution") from err
    details = _details(view, chain, execution_link(settings, execution_id))
    details.trace_id = await workflow_trace_id(client, execution_workflow_id(execution_id))
    return details


@router.post("/api/executions/{execution_id}/retry", status_code=202)
async def retry_execution(
    execution_id: str, executions: ExecutionsDep, caps: CapsDep, user: UserDep
) -> Retried:
    """Run a failed or cancelled execution again, as a new execution linked to it.

    A retry starts an execution, so the user's caps apply as to a new intent (429).
    """
    try:
        await caps.new_execution(user)
        new_id = await executions.retry(execution_id, user)
    except (UnknownExecution, UnknownSession) as err:
        raise HTTPException(status_code=404, detail="unknown execution") from err
    except ExecutionConflict as err:
        raise HTTPException(status_code=409, detail=str(err)) from err
    except RateLimited as err:
        raise HTTPException(
            status_code=429, detail=str(err), headers={"Retry-After": str(err.retry_after)}
        ) from err
    return Retried(execution_id=new_id, retry_of=execution_id)


@router.post("/api/executions/{execution_id}/cancel", status_code=202)
async def cancel_execution(
    execution_id: str, executions: ExecutionsDep, user: UserDep
) -> dict[str, str]:
    """Ask a running execution to stop."""
    try:
        await executions.cancel(execution_id, user)
    except UnknownExecution as err:
        raise HTTPException(status_code=404, detail="unknown execution") from err
    except ExecutionConflict as err:
        raise HTTPException(status_code=409, detail=str(err)) from err
    return {"execution_id": execution_id, "status": "cancelling"}


def _details(view: ExecutionView, chain: list[ExecutionView], link: str) -> ExecutionDetails:
    return ExecutionDetails(
        **view.model_dump(exclude={"user_id"}),
        chain=[
            Attempt(
                execution_id=v.execution_id, status=v.status, attempts=v.attempts, error=v.error
            )
            for v in chain
        ],
        temporal_ui_url=link,
    )
