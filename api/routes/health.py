"""Liveness and readiness: `/readyz` is ready only when Temporal answers and a worker polls."""

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from api.deps import ClientDep, SettingsDep

router = APIRouter()
_READY_TIMEOUT = timedelta(seconds=3)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(client: ClientDep, settings: SettingsDep) -> JSONResponse:
    """Temporal reachable and at least one worker polling the task queue."""
    try:
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=settings.temporal_namespace,
                task_queue=TaskQueue(name=settings.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=_READY_TIMEOUT,
        )
    except Exception as err:
        return JSONResponse({"status": "unavailable", "temporal": str(err)}, status_code=503)
    if not response.pollers:
        return JSONResponse(
            {"status": "unavailable", "worker": "no worker polling"}, status_code=503
        )
    return JSONResponse({"status": "ready", "workers": len(response.pollers)})
