"""When Temporal is down or briefly unsure (a worker just died): retry a little, then say so.

A query or an Update that meets a transient fault (the server unreachable, a query
whose worker was lost: `context canceled`) is retried for a bounded time; past it the
caller gets `TemporalUnavailable`, which REST answers with 503 and `Retry-After`, and a
socket with close 1013 (try again later). Nothing here is a 500.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

log = logging.getLogger(__name__)
T = TypeVar("T")

READ_PATIENCE = 8.0
"""Seconds a query may keep failing transiently before the caller is told to come back."""
RETRY_AFTER_SECONDS = 5
"""What `Retry-After` (and a 1013 close) tells clients."""
HEALTH_TIMEOUT = timedelta(seconds=2)
PROBE_AFTER = 1.0
"""Seconds a call may go unanswered before a health probe asks if Temporal is there."""
_TRANSIENT = frozenset(
    (
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.CANCELLED,
    )
)
_PAUSE = 0.2


class TemporalUnavailable(Exception):
    """Temporal did not answer in time: the request may be repeated later."""


def transient(err: BaseException) -> bool:
    """A fault that goes away by itself: repeat the (idempotent) call."""
    if isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError):
        return True
    return isinstance(err, RPCError) and err.status in _TRANSIENT


async def patiently(
    client: Client, call: Callable[[], Awaitable[T]], patience: float = READ_PATIENCE
) -> T:
    """`call()` repeated while its faults are transient, for at most `patience` seconds.

    Only for idempotent calls (queries, Updates with an id). Raises `TemporalUnavailable`
    when the faults outlast the patience, or at once when Temporal's frontend stops
    answering (the SDK would otherwise retry a dead connection for about ten seconds). A
    call that is only slow while the frontend answers (a query waiting for a restarted
    worker) is waited for. Other errors pass through.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            return await _unless_unreachable(client, call())
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
            if not transient(err):
                raise
            if time.monotonic() + _PAUSE > deadline:
                raise TemporalUnavailable(f"Temporal is unavailable: {err}") from err
            log.warning("Temporal call retried: %s", err)
        await asyncio.sleep(_PAUSE)


async def _unless_unreachable(client: Client, work: Awaitable[T]) -> T:
    """The call's answer; while it is slow, a health probe each `PROBE_AFTER` seconds."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=PROBE_AFTER)
            if done:
                return task.result()
            if not await reachable(client):
                raise TemporalUnavailable("Temporal is unreachable")
    finally:
        if not task.done():
            task.cancel()
            task.add_done_callback(_settled)


def _settled(task: asyncio.Future[Any]) -> None:
    """An abandoned call's outcome (the SDK turns its cancel into an error): seen, dropped."""
    if not task.cancelled():
        task.exception()


async def reachable(client: Client) -> bool:
    """Temporal's frontend answers a health check now (one quick RPC, no retries)."""
    try:
        return await client.service_client.check_health(timeout=HEALTH_TIMEOUT)
    except RPCError:
        return False


def install(app: FastAPI) -> None:
    """Answer 503 with `Retry-After` wherever Temporal's unavailability reaches a route."""
    app.add_exception_handler(TemporalUnavailable, _unavailable)
    app.add_exception_handler(RPCError, _rpc_error)
    app.add_exception_handler(WorkflowUpdateRPCTimeoutOrCancelledError, _unavailable)


async def _unavailable(request: Request, err: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "the service is briefly unavailable; try again shortly"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _rpc_error(request: Request, err: Exception) -> JSONResponse:
    """A transient RPC fault is a 503; any other one is the server's fault (500)."""
    if transient(err):
        return await _unavailable(request, err)
    log.error("Temporal call failed: %s", err)
    return JSONResponse({"detail": "internal server error"}, status_code=500)
