"""Faults a user meets as answers, never as 500s or hangs: a worker SIGKILLed under a
query, a cancel during a long parse, Temporal down. Its own stack (two workers), since
the last test stops its Temporal server."""

import signal
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

import launcher
from tests.client import WAIT, Api, wait_for_file

SALES = b"region,amount\nnorth,10\nsouth,20\n"


def test_queries_just_after_a_worker_is_killed_never_answer_500(
    two_workers: launcher.Stack,
) -> None:
    """Each execution's workflow sits in some worker's cache; SIGKILL one worker and read
    every execution at once: each answer is 200, or 503 with Retry-After (issue 22)."""
    api = Api(two_workers.api_url())
    ids = [
        api.start("ingest_file", {"file_id": api.upload(f"s{i}.csv", SALES)["file_id"]})
        for i in range(6)
    ]
    for execution_id in ids:
        api.wait_execution(execution_id)
    two_workers.processes["worker0"].send_signal(signal.SIGKILL)
    two_workers.processes["worker0"].wait()
    try:
        answers = [api.http.get(f"/api/executions/{i}") for _ in range(3) for i in ids]
    finally:
        launcher.start_worker(two_workers, "worker0")
    for answer in answers:
        assert answer.status_code in (200, 503), answer.text
        if answer.status_code == 503:
            assert int(answer.headers["Retry-After"]) > 0
    assert all(api.execution(i)["status"] == "completed" for i in ids)


def test_a_cancel_stops_a_long_parse_that_reports_no_progress(
    two_workers: launcher.Stack, tmp_path: Path
) -> None:
    """The handler is busy in Python and never reports: the activity keeps heartbeating,
    the cancel interrupts it, and the execution ends cancelled (not `failed: timeout`)."""
    api = Api(two_workers.api_url())
    output = tmp_path / "parsed"
    with api.socket() as conn:
        conn.turn("Upload a file")
        session_id = conn.ready["session_id"]
        params = {"seconds": 120, "output": str(output)}
        execution_id = api.start("test_parse", params, session_id)
        wait_for_file(Path(f"{output}.started"))
        conn.send({"type": "execution.cancel", "execution_id": execution_id})
        ended = conn.until(
            lambda e: (
                e.get("execution_id") == execution_id
                and e["type"] in ("execution.cancelled", "execution.failed", "execution.completed")
            )
        )
    assert ended["type"] == "execution.cancelled"
    assert api.execution(execution_id)["status"] == "cancelled"
    assert not output.exists()


def test_while_temporal_is_down_rest_answers_503_and_sockets_close_1013(
    two_workers: launcher.Stack,
) -> None:
    api = Api(two_workers.api_url())
    execution_id = api.start("test_broken", {})
    api.wait_execution(execution_id)
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        conn.turn("Upload a file")
    server = two_workers.processes["temporal"]
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=WAIT)
    try:
        for answer in (
            api.http.get(f"/api/executions/{execution_id}"),
            api.http.get(f"/api/sessions/{session_id}"),
            api.http.post("/api/runtime/intents", json={"name": "test_broken", "params": {}}),
        ):
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["Retry-After"]) > 0
        for query in ("", f"?session_id={session_id}"):
            url = f"{api.ws_base}/api/runtime/agent{query}"
            with connect(url, open_timeout=WAIT) as ws, pytest.raises(ConnectionClosed) as err:
                ws.recv(timeout=WAIT)
            assert err.value.rcvd is not None and err.value.rcvd.code == 1013
    finally:
        launcher.start_temporal(two_workers)
    _until_ready(api.base)
    assert api.execution(execution_id)["status"] == "failed"


def _until_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while httpx.get(f"{base}/readyz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the stack did not come back"
        time.sleep(0.2)
