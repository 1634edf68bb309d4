"""The edge's limits against a real uvicorn: Host allowlist, streamed uploads with their
quota and concurrency caps, and the flood guard at its default strike limit."""

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

import launcher
from tests.client import WAIT, Api, Conn, extra_api
from tests.conftest import UPLOAD_LIMIT

GIB = 1024**3


def _address(api: Api) -> tuple[str, int]:
    host, port = api.base.removeprefix("http://").split(":")
    return host, int(port)


def _incoming(stack: launcher.Stack) -> list[Path]:
    return [p for p in (stack.data_dir / "files" / "incoming").rglob("*") if p.is_file()]


def _fresh_user() -> dict[str, str]:
    """An API whose local user nobody else uses, so its caps start empty."""
    return {"SYMPHAINY_LOCAL_USER_ID": f"edge-{uuid.uuid4().hex}"}


# Host allowlist (DNS rebinding)


def test_a_rebound_host_is_refused_on_rest_and_socket(api: Api) -> None:
    evil = {"Host": "evil.example"}
    assert api.http.get("/api/sessions/" + "0" * 32, headers=evil).status_code == 400
    assert api.http.post("/api/runtime/intents", json={}, headers=evil).status_code == 400
    url = f"{api.ws_base}/api/runtime/agent"
    with pytest.raises(InvalidStatus) as refused:
        connect(
            url,
            origin=Origin("http://evil.example"),
            additional_headers={"Host": "evil.example"},
            open_timeout=WAIT,
        )
    assert refused.value.response.status_code == 403
    with connect(url, additional_headers={"Host": "localhost"}, open_timeout=WAIT) as ws:
        assert Conn(ws).ready["type"] == "session.ready"


def test_an_allowed_host_name_passes(stack: launcher.Stack) -> None:
    env = {"SYMPHAINY_ALLOWED_HOSTS": '["symphainy.example"]'}
    with extra_api(stack, env) as api:
        named = {"Host": "symphainy.example"}
        assert api.http.get("/api/sessions/" + "0" * 32, headers=named).status_code == 404
        assert (
            api.http.get(
                "/api/sessions/" + "0" * 32, headers=named | {"Host": "x.example"}
            ).status_code
            == 400
        )


# Uploads


def _upload_head(api: Api, length: int | None, boundary: str = "b0undary") -> bytes:
    host, port = _address(api)
    size = (
        f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    )
    return (
        f"POST /api/files HTTP/1.1\r\nHost: {host}:{port}\r\n{size}"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n"
    ).encode()


def _part_head(boundary: str = "b0undary") -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()


def _response(sock: socket.socket) -> tuple[int, bytes]:
    """Status and everything until the server closes the connection."""
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return int(data.split(b" ", 2)[1]), data


def test_a_gib_declared_upload_is_refused_at_once_with_no_temp_file(
    api: Api, stack: launcher.Stack
) -> None:
    with socket.create_connection(_address(api)) as sock:
        sock.sendall(_upload_head(api, GIB) + _part_head() + b"a,b\n" * 1000)
        status, body = _response(sock)
    assert status == 413
    assert b"limit" in body
    assert _incoming(stack) == []


def test_a_chunked_body_over_the_limit_is_stopped_where_it_crosses(
    api: Api, stack: launcher.Stack
) -> None:
    row = b"x" * 65535 + b"\n"
    chunk = f"{len(row):x}\r\n".encode() + row + b"\r\n"
    sent = 0
    with socket.create_connection(_address(api)) as sock:
        sock.sendall(_upload_head(api, None) + f"{len(_part_head()):x}\r\n".encode())
        sock.sendall(_part_head() + b"\r\n")
        with pytest.raises(OSError):
            while sent < 20 * UPLOAD_LIMIT:
                sock.sendall(chunk)
                sent += len(row)
        status, body = _response(sock)
    assert status == 413
    assert b"limit" in body
    assert sent < 20 * UPLOAD_LIMIT
    assert _incoming(stack) == []


@contextmanager
def _upload_in_progress(api: Api) -> Iterator[socket.socket]:
    """An upload whose body is still coming: its headers and a first piece are sent."""
    with socket.create_connection(_address(api)) as sock:
        sock.sendall(_upload_head(api, 1_000_000) + _part_head() + b"a,b\n" * 100)
        yield sock


def _wait_reserved(stack: launcher.Stack, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(_incoming(stack)) < count:
        assert time.monotonic() < deadline, "the upload never reserved its room"
        time.sleep(0.02)


def test_concurrent_uploads_are_capped_per_user_across_api_processes(
    stack: launcher.Stack,
) -> None:
    env = {**_fresh_user(), "SYMPHAINY_MAX_CONCURRENT_UPLOADS": "1"}
    with extra_api(stack, env) as one, extra_api(stack, env) as two:
        with _upload_in_progress(one):
            _wait_reserved(stack, 1)
            refused = two.http.post("/api/files", files={"file": ("b.csv", b"a\n1\n", "text/csv")})
            assert refused.status_code == 429
            assert refused.headers["retry-after"]
            assert "in progress" in refused.json()["detail"]
        deadline = time.monotonic() + WAIT
        while _incoming(stack):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert two.upload("b.csv", b"a\n1\n")["size"] == 4


def test_the_storage_quota_is_per_user(stack: launcher.Stack) -> None:
    env = {**_fresh_user(), "SYMPHAINY_UPLOAD_QUOTA_BYTES": "10000"}
    with extra_api(stack, env) as api:
        api.upload("a.csv", b"x" * 6000)
        refused = api.http.post("/api/files", files={"file": ("b.csv", b"y" * 6000, "text/csv")})
        assert refused.status_code == 413
        assert "quota" in refused.json()["detail"]
        assert api.upload("c.csv", b"z" * 3000)["size"] == 3000
    assert _incoming(stack) == []


# Frames


def test_a_steady_flooder_is_closed_at_the_default_strike_limit(stack: launcher.Stack) -> None:
    """~800 frames/s, under the 1,000/s at which the old "in a row" count would close it:
    every refill admitted a frame and forgave it, so it stayed open forever."""
    with extra_api(stack, _fresh_user()) as api, api.socket() as conn:
        codes: list[str] = []
        closed: list[int] = []

        def read() -> None:
            try:
                while True:
                    codes.append(json.loads(conn.ws.recv(timeout=WAIT)).get("code"))
            except ConnectionClosed as err:
                closed.append(err.rcvd.code if err.rcvd else 0)

        reader = threading.Thread(target=read)
        reader.start()
        sent = 0
        try:
            while not closed and sent < 4000:
                for _ in range(8):
                    conn.send('{"type": "ping"}')
                sent += 8
                time.sleep(0.01)
        except ConnectionClosed:
            pass
        reader.join(WAIT)
    assert closed == [1008]
    assert "rate_limited" in codes
    assert sent < 4000


def test_the_user_frame_budget_survives_a_reconnect(stack: launcher.Stack) -> None:
    env = {
        **_fresh_user(),
        "SYMPHAINY_RATE_PER_USER": "0.01",
        "SYMPHAINY_BURST_PER_USER": "20",
    }
    with extra_api(stack, env) as api:
        with api.socket() as first:
            for _ in range(20):
                first.send('{"type": "ping"}')
                assert first.recv()["type"] == "pong"
        with api.socket() as second:
            second.send('{"type": "ping"}')
            assert second.recv() == {
                "type": "error",
                "code": "rate_limited",
                "message": "too many frames: slow down",
                "ref": None,
            }
