"""The edge in local mode: Origin, the hard frame limit, bad uploads, slow consumers and
shutdown."""

import json
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

import launcher
from tests.client import WAIT, Api, Conn, Event, extra_api, offsets


def test_a_foreign_origin_is_refused_before_the_handshake(api: Api) -> None:
    url = f"{api.ws_base}/api/runtime/agent"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=Origin("https://evil.example"), open_timeout=WAIT)
    assert refused.value.response.status_code == 403
    own = api.base.replace("ws://", "http://")
    with connect(url, origin=Origin(own), open_timeout=WAIT) as ws:
        assert Conn(ws).ready["type"] == "session.ready"


def test_a_frame_over_the_hard_limit_closes_with_1009(api: Api) -> None:
    with api.socket() as conn, pytest.raises(ConnectionClosed) as closed:
        conn.send(json.dumps({"type": "user.message", "message_id": "m", "text": "x" * 2_000_000}))
        conn.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status"),
    [
        ("empty.csv", b"", "text/csv", 400),
        ("fake.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/csv", 415),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(
    api: Api, stack: launcher.Stack, name: str, data: bytes, content_type: str, status: int
) -> None:
    store = stack.data_dir / "files"
    before = sorted(p for p in store.rglob("*") if p.is_file())
    response = api.http.post("/api/files", files={"file": (name, data, content_type)})
    assert response.status_code == status
    assert response.json()["detail"]
    assert sorted(p for p in store.rglob("*") if p.is_file()) == before


def test_a_traversal_name_stays_inside_the_store(api: Api, stack: launcher.Stack) -> None:
    body = api.upload("../../../../tmp/evil.csv", b"a\n1\n")
    assert body["name"] == "evil.csv"
    assert not Path("/tmp/evil.csv").exists()
    blob = stack.data_dir / "files" / "blobs" / body["sha256"][:2] / body["sha256"]
    assert blob.read_bytes() == b"a\n1\n"


def test_shutdown_closes_sockets_with_1001(stack: launcher.Stack) -> None:
    with extra_api(stack, {}) as api, api.socket() as conn:
        conn.turn("Upload a file")
        process = stack.processes[f"api-{api.base.rsplit(':', 1)[1]}"]
        process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            conn.recv(timeout=WAIT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001


def _completes(execution_id: str) -> Callable[[Event], bool]:
    return lambda e: e["type"] == "execution.completed" and e["execution_id"] == execution_id


def _paused(api: Api, session_id: str, after: int) -> ClientConnection:
    """A client that stops reading: a tiny window and segments (loopback's are 64 KiB,
    which would let the server's send buffer grow to megabytes), and a one-frame queue."""
    host, port = api.base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    sock.connect((host, int(port)))
    url = f"{api.ws_base}/api/runtime/agent?session_id={session_id}&after={after}"
    return connect(url, sock=sock, max_queue=1, max_size=None, open_timeout=WAIT)


def test_a_slow_consumer_is_closed_then_resumes_without_loss(stack: launcher.Stack) -> None:
    line = "The clerk checks the shipment. " + "x" * 400
    # 20 steps: ten Journey results of 99 steps (BPMN included) pass the 1 MB of events a
    # session carries across continue-as-new, and a replay cannot reach behind that.
    sop = "\n".join(f"{n}. {line}" for n in range(20))
    with extra_api(stack, {"SYMPHAINY_FEED_MEMORY": "8"}) as api, api.socket() as driver:
        session_id = driver.ready["session_id"]
        start = driver.turn("Upload a file")[-1]["offset"]
        with _paused(api, session_id, start) as ws:
            slow = Conn(ws)
            for _ in range(10):
                execution_id = api.start("create_workflow_from_sop", {"text": sop}, session_id)
                driver.until(_completes(execution_id))
            newest = api.http.get(f"/api/sessions/{session_id}").json()["offset"]
            seen: list[int] = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    seen += [slow.recv()["offset"]]
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
        assert len(seen) < newest - start
        with api.socket(session_id, after=seen[-1] if seen else start) as again:
            again.until(lambda e: e.get("offset") == newest)
    assert seen + offsets(again.events) == list(range(start + 1, newest + 1))
