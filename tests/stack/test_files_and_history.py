"""Uploads: the size limit, and file bytes kept out of Temporal history."""

import asyncio
import random
from pathlib import Path

from temporalio.client import Client

import launcher
from tests.client import Api
from tests.conftest import UPLOAD_LIMIT

HISTORY_PAYLOAD_LIMIT = 256 * 1024


def _files_in(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_an_upload_returns_its_reference(api: Api) -> None:
    body = api.upload("../../etc/passwd.csv", b"a,b\n1,2\n")
    assert body["name"] == "passwd.csv"
    assert body["size"] == 8
    assert len(body["sha256"]) == 64
    assert set(body) == {"file_id", "name", "size", "sha256", "content_type", "kind"}
    assert body["kind"] == "table"
    assert api.upload("steps.txt", b"1. Check the invoice.\n2. Pay it.\n")["kind"] == "text"


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
    api: Api, stack: launcher.Stack
) -> None:
    store = stack.data_dir / "files"
    before = _files_in(store)
    response = api.http.post(
        "/api/files", files={"file": ("big.csv", b"x" * (UPLOAD_LIMIT + 1), "text/csv")}
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert _files_in(store) == before


def test_a_large_file_stays_out_of_history(api: Api, stack: launcher.Stack) -> None:
    rng = random.Random(3)
    rows = "\n".join(
        f"{i},{rng.random():.6f},{rng.randint(0, 10**6)},city{i % 300},2024-01-{i % 28 + 1:02d}"
        for i in range(120_000)
    )
    ref = api.upload("big.csv", f"id,value,count,city,day\n{rows}\n".encode())
    assert ref["size"] > 4 * 1024 * 1024
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        ingest = conn.turn("Upload a file", [ref["file_id"]])
        profile = conn.turn("What insights can I get from my data?")
    executions = [e["execution_id"] for e in ingest + profile if e["type"] == "execution.completed"]
    assert len(executions) == 2
    workflow_ids = [f"session-{session_id}", *(f"exec-{e}" for e in executions)]
    largest = asyncio.run(largest_event(stack.temporal_address, workflow_ids))
    assert largest < HISTORY_PAYLOAD_LIMIT, f"a history event is {largest} bytes"


async def largest_event(address: str, workflow_ids: list[str]) -> int:
    """The size in bytes of the largest history event of these workflows."""
    client = await Client.connect(address)
    sizes = [
        event.ByteSize()
        for workflow_id in workflow_ids
        async for event in client.get_workflow_handle(workflow_id).fetch_history_events()
    ]
    return max(sizes)
