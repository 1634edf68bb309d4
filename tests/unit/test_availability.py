"""Unit tests (no server) of how Temporal's transient faults reach users: retried, then
503 with Retry-After; never a 500. The stack tests are in `tests/stack/test_session_faults.py`."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.availability import TemporalUnavailable, install, patiently

NO_CLIENT = cast(Client, None)
"""Never probed: these calls fail fast, and only a slow call triggers a health probe."""


def _failing(
    times: int, status: RPCStatusCode, message: str = "context canceled"
) -> Callable[[], Awaitable[str]]:
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise RPCError(message, status, b"")
        return "answer"

    return call


def test_a_query_that_meets_context_canceled_after_a_worker_died_is_retried() -> None:
    call = _failing(3, RPCStatusCode.CANCELLED)
    assert asyncio.run(patiently(NO_CLIENT, call, patience=5)) == "answer"


def test_a_fault_that_outlasts_the_patience_is_unavailable() -> None:
    call = _failing(1_000, RPCStatusCode.UNAVAILABLE, "tcp connect error")
    with pytest.raises(TemporalUnavailable):
        asyncio.run(patiently(NO_CLIENT, call, patience=0.5))


def test_a_fault_that_is_not_transient_passes_through_at_once() -> None:
    call = _failing(1, RPCStatusCode.NOT_FOUND, "not found")
    with pytest.raises(RPCError):
        asyncio.run(patiently(NO_CLIENT, call, patience=5))


@pytest.mark.parametrize(
    ("raised", "status"),
    [
        (TemporalUnavailable("down"), 503),
        (RPCError("context canceled", RPCStatusCode.CANCELLED, b""), 503),
        (RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b""), 503),
        (RPCError("bad request", RPCStatusCode.INVALID_ARGUMENT, b""), 500),
    ],
)
def test_rest_answers_503_with_retry_after_for_what_will_pass(
    raised: Exception, status: int
) -> None:
    app = FastAPI()
    install(app)

    @app.get("/fault")
    async def fault() -> None:
        raise raised

    response = TestClient(app, raise_server_exceptions=False).get("/fault")
    assert response.status_code == status
    assert ("retry-after" in response.headers) is (status == 503)
