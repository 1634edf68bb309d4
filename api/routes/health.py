"""Liveness and readiness: `/readyz` names the dependency that is missing, if any."""

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from api.deps import ClientDep, SettingsDep
from settings import Settings
from startup import create_command, missing_search_attributes

router = APIRouter()
_READY_TIMEOUT = timedelta(seconds=3)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(client: ClientDep, settings: SettingsDep) -> JSONResponse:
    """Ready when Temporal answers, the namespace has our search attributes and a worker
    polls the task queue; otherwise 503 with `missing` naming what is not there and a
    sentence for each (`temporal`, `search_attributes`, `worker`)."""
    try:
        pollers = await _pollers(client, settings)
        absent = await missing_search_attributes(
            client, settings.temporal_namespace, _READY_TIMEOUT
        )
    except Exception as err:
        return _unavailable({"temporal": f"Temporal at {settings.temporal_address}: {err}"})
    problems: dict[str, str] = {}
    if absent:
        commands = [create_command(settings.temporal_namespace, name) for name in absent]
        problems["search_attributes"] = f"missing {', '.join(absent)}: " + "; ".join(commands)
    if not pollers:
        problems["worker"] = f"no worker polls task queue {settings.task_queue}"
    if problems:
        return _unavailable(problems)
    return JSONResponse({"status": "ready", "workers": pollers})


async def _pollers(client: Client, settings: Settings) -> int:
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        ),
        timeout=_READY_TIMEOUT,
    )
    return len(response.pollers)


def _unavailable(problems: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        {"status": "unavailable", "missing": sorted(problems), **problems}, status_code=503
    )
