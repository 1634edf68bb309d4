"""`POST /api/runtime/intents`: an intent straight to the Runtime, no agent."""

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from activities.catalog import InvalidParams, UnknownIntent
from api.deps import CapsDep, ExecutionsDep, UserDep
from api.executions import UnknownSession
from api.limits import RateLimited
from models.intents import Intent

router = APIRouter()


class IntentSubmission(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    params: dict[str, Any] = Field(default_factory=dict)
    session_id: str | None = None


class ExecutionStarted(BaseModel):
    execution_id: str


@router.post("/api/runtime/intents", status_code=202)
async def submit_intent(
    body: IntentSubmission, executions: ExecutionsDep, caps: CapsDep, user: UserDep
) -> ExecutionStarted:
    """Validate against the intent catalog, then start; in a session it runs as a turn.

    Over the user's caps (intents a minute, executions running): 429 with Retry-After,
    and nothing starts.
    """
    try:
        await caps.new_execution(user)
        execution_id = await executions.start(
            Intent(name=body.name, params=body.params), user, body.session_id
        )
    except UnknownIntent as err:
        raise HTTPException(status_code=404, detail=str(err)) from err
    except InvalidParams as err:
        raise HTTPException(status_code=422, detail=err.errors) from err
    except UnknownSession as err:
        raise HTTPException(status_code=404, detail=f"unknown session {err}") from err
    except RateLimited as err:
        raise HTTPException(
            status_code=429, detail=str(err), headers={"Retry-After": str(err.retry_after)}
        ) from err
    return ExecutionStarted(execution_id=execution_id)
