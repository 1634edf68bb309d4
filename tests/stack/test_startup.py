"""Start-up checks against a plain dev server: refuse with what to do, or say what is missing.

A dev server registers search attributes on request, so to see a refusal for real the
test first fills the namespace's Keyword slots (SQLite visibility allows 10) with other
attributes: the server then refuses ours, as a restricted cluster would.
"""

import asyncio
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client

import launcher
from models.search import ALL as SEARCH_ATTRIBUTES
from startup import create_command

FILLERS = 8
"""Keyword attributes taken before ours: 2 of 10 slots left, we need 5."""
EXIT_WAIT = 90.0


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[launcher.Stack]:
    """A plain dev server (no search attributes), with whatever the test starts on it."""
    stack = launcher.Stack(
        tmp_path / "data",
        launcher.free_port(),
        None,
        log_dir=tmp_path / "logs",
        search_attributes=False,
    )
    stack.log_dir.mkdir()  # type: ignore[union-attr]
    try:
        launcher.start_temporal(stack)
        yield stack
    finally:
        launcher.stop(stack)


async def _fill_keyword_slots(address: str) -> None:
    client = await Client.connect(address)
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace="default",
            search_attributes={
                f"Other{i}": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for i in range(FILLERS)
            },
        )
    )


def _exit_and_log(stack: launcher.Stack, process: subprocess.Popen[bytes], name: str) -> str:
    process.wait(timeout=EXIT_WAIT)
    assert stack.log_dir is not None
    return (stack.log_dir / f"{name}.log").read_text()


def test_the_dev_server_writes_its_database_through_a_write_ahead_log(
    plain: launcher.Stack,
) -> None:
    """`journal_mode=wal` is kept in the file: the pragma reached SQLite (README "Dev server")."""
    database = plain.data_dir / "temporal.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        assert connection.execute("pragma journal_mode").fetchone() == ("wal",)


def test_a_server_that_refuses_gets_the_commands_to_run(plain: launcher.Stack) -> None:
    asyncio.run(_fill_keyword_slots(plain.temporal_address))
    worker = launcher.start_worker(plain)
    api = launcher.start_api(plain, launcher.free_port())
    for name, process, code in (("worker", worker, 2), ("api", api, 3)):
        log = _exit_and_log(plain, process, name)
        assert process.returncode == code, log
        assert "lacks the search attributes SessionId, UserId, Intent, Realm, IntentStatus" in log
        assert "cannot have more than 10 search attribute of type Keyword" in log
        for key in SEARCH_ATTRIBUTES:
            assert create_command("default", key.name) in log, log


def test_readyz_names_the_missing_dependency(plain: launcher.Stack) -> None:
    port = launcher.free_port()
    launcher.start_api(plain, port)
    url = f"http://127.0.0.1:{port}/readyz"
    answer = _wait_for(url, lambda body: "worker" in body.get("missing", []))
    assert answer == {
        "status": "unavailable",
        "missing": ["worker"],
        "worker": "no worker polls task queue symphainy",
    }
    temporal = plain.processes.pop("temporal")
    temporal.terminate()
    temporal.wait(timeout=30)
    answer = _wait_for(url, lambda body: "temporal" in body.get("missing", []))
    assert answer["temporal"].startswith(f"Temporal at {plain.temporal_address}")


def _wait_for(
    url: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any]:
    """Poll `/readyz` until `done(body)` (bounded); the last body either way."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            body = httpx.get(url, timeout=10).json()
        except httpx.HTTPError:
            body = {}
        if done(body):
            return body
        time.sleep(0.2)
    return body
