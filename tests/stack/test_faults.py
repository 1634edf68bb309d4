"""Fault drills with real processes: two APIs and two workers on one Temporal server.

Bounded in time; the benchmark's drill (bench/) repeats them more often.
"""

import asyncio
import signal
import time
from collections.abc import Iterator

import httpx
import pytest
from temporalio.client import Client

import launcher
from tests.client import Api, Event

SALES = b"region,amount\nnorth,10\nsouth,20\n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    root = tmp_path_factory.mktemp("faults")
    with launcher.running(root / "data", workers=2, apis=2, log_dir=root) as stack:
        yield stack


def _offsets(events: list[Event]) -> list[int]:
    return [e["offset"] for e in events]


def test_a_session_moves_between_api_instances(cluster: launcher.Stack) -> None:
    first, second = Api(cluster.api_url(0)), Api(cluster.api_url(1))
    with first.socket() as conn:
        session_id = conn.ready["session_id"]
        seen = conn.turn("Upload a file")
    with second.socket(session_id=session_id, after=seen[-1]["offset"]) as conn:
        assert conn.ready["resumed"] is True
        seen += conn.turn("bananas")
    assert _offsets(seen) == list(range(1, len(seen) + 1))


def test_executions_spread_across_workers(cluster: launcher.Stack) -> None:
    api = Api(cluster.api_url())
    ids = [
        api.start("ingest_file", {"file_id": api.upload(f"s{i}.csv", SALES)["file_id"]})
        for i in range(8)
    ]
    for execution_id in ids:
        assert api.wait_execution(execution_id)["status"] == "completed"
    workers = asyncio.run(_activity_workers(cluster.temporal_address, ids))
    assert len(workers) == 2


async def _activity_workers(address: str, execution_ids: list[str]) -> set[str]:
    client = await Client.connect(address)
    identities = set()
    for execution_id in execution_ids:
        async for event in client.get_workflow_handle(
            f"exec-{execution_id}"
        ).fetch_history_events():
            if event.HasField("activity_task_started_event_attributes"):
                identities.add(event.activity_task_started_event_attributes.identity)
    return identities


def test_a_killed_api_loses_nothing_for_a_client_that_reconnects(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("apikill")
    with launcher.running(root / "data", apis=2, log_dir=root) as stack:
        doomed, survivor = Api(stack.api_url(0)), Api(stack.api_url(1))
        with doomed.socket() as conn:
            session_id = conn.ready["session_id"]
            conn.message("Upload a file", [doomed.upload("s.csv", SALES)["file_id"]])
            conn.until(lambda e: e["type"] == "intent.created")
            seen = list(conn.events)
            stack.processes["api0"].send_signal(signal.SIGKILL)
        with survivor.socket(session_id=session_id, after=seen[-1]["offset"]) as conn:
            conn.until(lambda e: e["type"] == "turn.completed")
            seen += conn.events
    assert _offsets(seen) == list(range(1, len(seen) + 1))
    assert seen[-1]["status"] == "completed"


def test_turns_wait_for_stopped_workers(cluster: launcher.Stack) -> None:
    api = Api(cluster.api_url())
    workers = [name for name in cluster.processes if name.startswith("worker")]
    with api.socket() as conn:
        conn.turn("Upload a file")
        for name in workers:
            cluster.processes[name].send_signal(signal.SIGTERM)
            cluster.processes[name].wait(timeout=30)
        conn.message("Upload a file", [api.upload("late.csv", SALES)["file_id"]])
        conn.message("bananas")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            assert httpx.get(f"{api.base}/readyz").status_code in (200, 503)
            time.sleep(0.2)
        for name in workers:
            launcher.start_worker(cluster, name)
        conn.until(
            lambda e: (
                e["type"] == "turn.completed"
                and sum(1 for x in conn.events if x["type"] == "turn.completed") == 3
            ),
            timeout=60,
        )
    statuses = [e["status"] for e in conn.events if e["type"] == "turn.completed"]
    assert statuses == ["needs_input", "completed", "needs_input"]
    assert _offsets(conn.events) == list(range(1, len(conn.events) + 1))


def test_the_session_survives_temporal_killed_and_restarted(cluster: launcher.Stack) -> None:
    """SIGKILL, not a clean stop: what the server committed to its write-ahead-logged
    database (README "Dev server") is all there when it comes back."""
    api = Api(cluster.api_url())
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        seen = conn.turn("Upload a file")
    server = cluster.processes["temporal"]
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    assert _wait_status(f"{api.base}/readyz", 503)
    launcher.start_temporal(cluster)
    assert _wait_status(f"{api.base}/readyz", 200, timeout=60)
    with api.socket(session_id=session_id, after=seen[-1]["offset"]) as conn:
        assert conn.ready["resumed"] is True
        seen += conn.turn("bananas")
    assert _offsets(seen) == list(range(1, len(seen) + 1))


def _wait_status(url: str, status: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == status:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False
