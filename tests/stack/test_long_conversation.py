"""Long conversations continue-as-new, and no subscriber notices: no gap, no duplicate."""

import asyncio
import time
from collections.abc import Iterator

import pytest
from temporalio.client import Client

import launcher
from tests.client import Api, Conn

HISTORY_BOUND = 150


@pytest.fixture(scope="module")
def short_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    """Its own stack whose sessions continue-as-new every ~150 history events.

    The test sends its 38 messages at once: past the per-socket burst (30) the rate
    limiter refused the last ones whenever turns were quick enough that the bucket had
    not refilled, so the burst is raised here; test_edge_limits pins the limiter itself."""
    root = tmp_path_factory.mktemp("long")
    env = {"SYMPHAINY_HISTORY_BOUND": str(HISTORY_BOUND), "SYMPHAINY_BURST_PER_SOCKET": "100"}
    with launcher.running(root / "data", log_dir=root, env=env) as stack:
        yield stack


def test_a_session_across_runs_streams_without_gaps(short_history: launcher.Stack) -> None:
    api = Api(short_history.api_url())
    turns = 36
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        sent = [
            conn.message("Upload a file" if index % 2 else "bananas are yellow")
            for index in range(turns)
        ]
        _until_turns(conn, turns)
        conn.message("Upload a file", message_id=sent[0])
        conn.message("bananas are yellow")
        _until_turns(conn, turns + 1)
        live = list(conn.events)
    assert [e["offset"] for e in live] == list(range(1, len(live) + 1))
    accepted = [e["message_id"] for e in live if e["type"] == "message.accepted"]
    assert len(accepted) == turns + 1
    assert accepted.count(sent[0]) == 1, "a message id from an earlier run started a turn"
    with api.socket(session_id=session_id) as again:
        again.until(lambda e: e["offset"] == len(live), timeout=60)
    assert again.events == live
    runs, longest = asyncio.run(_runs(short_history.temporal_address, f"session-{session_id}"))
    assert runs >= 2
    assert longest <= HISTORY_BOUND + 60


def _until_turns(conn: Conn, count: int) -> None:
    """Until the socket has seen `count` turns complete."""
    conn.until(
        lambda e: (
            e["type"] == "turn.completed"
            and sum(1 for x in conn.events if x["type"] == "turn.completed") == count
        ),
        timeout=120,
    )


async def _runs(address: str, workflow_id: str) -> tuple[int, int]:
    """How many runs the session has had, and the longest history among them."""
    client = await Client.connect(address)
    deadline = time.monotonic() + 20
    while True:
        runs = [w async for w in client.list_workflows(f'WorkflowId="{workflow_id}"')]
        if len(runs) >= 2 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    lengths = [
        len(
            [
                e
                async for e in client.get_workflow_handle(
                    workflow_id, run_id=r.run_id
                ).fetch_history_events()
            ]
        )
        for r in runs
    ]
    return len(runs), max(lengths)
