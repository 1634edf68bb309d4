"""Every bad frame of the corpus gets its documented answer, and the socket lives on.

Then generated frames (hypothesis) must keep the same promises, and no workflow or
activity may have failed because of any of it.
"""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.client import Client
from websockets.exceptions import ConnectionClosed

import launcher
from tests.client import Api, Conn, extra_api

CORPUS_FILE = Path(__file__).parent.parent / "corpus" / "frames.jsonl"
CORPUS = [json.loads(line) for line in CORPUS_FILE.open()]
SESSIONS: list[str] = []


def _raw(case: dict[str, Any]) -> str | bytes:
    if "binary_hex" in case:
        return bytes.fromhex(case["binary_hex"])
    if "fill" in case:
        fill = case["fill"]
        return str(fill["prefix"] + fill["char"] * fill["count"] + fill["suffix"])
    return str(case["frame"])


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40
    assert len({case["name"] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case["name"] for case in CORPUS])
def test_each_bad_frame_gets_its_documented_answer(api: Api, case: dict[str, Any]) -> None:
    kind, _, code = case["expect"].partition(":")
    with api.socket() as conn:
        SESSIONS.append(conn.ready["session_id"])
        if kind == "duplicate":
            _reuse(conn)
        elif kind == "close":
            with pytest.raises(ConnectionClosed) as closed:
                conn.ws.send(_raw(case))
                conn.recv()
            received = closed.value.rcvd
            assert received is None or received.code == int(code)
            return
        else:
            conn.ws.send(_raw(case))
            _expect(conn, kind, code)
        events = conn.turn("Upload a file")
    assert events[-1]["type"] == "turn.completed"
    if kind == "duplicate":
        assert [e["type"] for e in conn.events].count("turn.completed") == 2


def _expect(conn: Conn, kind: str, code: str) -> None:
    if kind == "error":
        error = conn.error()
        assert (error["code"], "offset" in error) == (code, False)
        assert error["message"]
    elif kind == "pong":
        assert conn.until(lambda e: e["type"] in ("pong", "error"))["type"] == "pong"
    else:
        done = conn.until(lambda e: e["type"] in ("turn.completed", "error"))
        assert done["type"] == "turn.completed"


def _reuse(conn: Conn) -> None:
    conn.message("Upload a file", message_id="same")
    conn.message("Create a workflow from my SOP", message_id="same")
    first = conn.until(lambda e: e["type"] == "turn.completed")
    assert [e["type"] for e in conn.events].count("message.accepted") == 1
    assert first["status"] == "needs_input"


frames = st.one_of(
    st.text(max_size=200),
    st.dictionaries(
        st.sampled_from(["type", "message_id", "text", "file_ids", "execution_id", "turn_id"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=False),
            st.text(max_size=40),
            st.lists(st.text(max_size=10), max_size=3),
            st.sampled_from(["user.message", "ping", "execution.retry", "intent.approve"]),
        ),
    ).map(json.dumps),
)


UNMETERED = {
    "SYMPHAINY_RATE_PER_SOCKET": "100000",
    "SYMPHAINY_BURST_PER_SOCKET": "100000",
    "SYMPHAINY_RATE_PER_USER": "100000",
    "SYMPHAINY_BURST_PER_USER": "100000",
}
"""The generated frames test shapes, not rate: at the default per-user rate, 60
examples sent as fast as turns complete drain the user's bucket, so whether a ping
met a pong or `rate_limited` depended on the machine's speed (a flake in CI)."""


@pytest.fixture(scope="module")
def unmetered(stack: launcher.Stack) -> Iterator[Api]:
    """An API on the same stack whose rate limits cannot be reached by this module."""
    with extra_api(stack, UNMETERED) as api:
        yield api


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(frames, min_size=1, max_size=5))
def test_generated_frames_never_break_a_socket(unmetered: Api, batch: list[str]) -> None:
    with unmetered.socket() as conn:
        SESSIONS.append(conn.ready["session_id"])
        for raw in batch:
            conn.send(raw)
        conn.send({"type": "ping"})
        conn.until(lambda e: e["type"] == "pong")
        for frame in conn.errors:
            assert frame["code"] in {
                "invalid_json",
                "invalid_frame",
                "unknown_type",
                "unknown_file",
                "unknown_execution",
            }
        events = conn.turn("Upload a file")
    assert events[-1]["type"] == "turn.completed"


def test_no_workflow_or_activity_failed_on_the_way(stack: launcher.Stack) -> None:
    assert SESSIONS
    failures = asyncio.run(_failures(stack.temporal_address, SESSIONS))
    assert failures == []


async def _failures(address: str, sessions: list[str]) -> list[str]:
    client = await Client.connect(address)
    found = []
    for session_id in sessions:
        handle = client.get_workflow_handle(f"session-{session_id}")
        try:
            async for event in handle.fetch_history_events():
                kind = event.WhichOneof("attributes") or ""
                if "failed" in kind or "timed_out" in kind:
                    found.append(f"{session_id}: {kind}")
        except Exception as err:
            if "not found" not in str(err).lower():
                raise
    return found
