"""Slow and malformed clients against the real uvicorn with `launcher.UVICORN_FLAGS`:
a head that takes too long, an oversized request line or header, too many connections
from one address. Each gets an answer and a closed connection, not a hang."""

import contextlib
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from websockets.exceptions import InvalidHandshake

import launcher
from tests.client import WAIT, Api, extra_api

DRIP = 0.2
"""Seconds between the bytes a slow client sends."""


def _connect(api: Api) -> socket.socket:
    host, port = api.base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=WAIT)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _handshake(api: Api, path: str = "/api/runtime/agent", extra: str = "") -> bytes:
    host = api.base.removeprefix("http://")
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"{extra}\r\n"
    ).encode()


@pytest.fixture(scope="module")
def guarded(stack: launcher.Stack) -> Iterator[Api]:
    """An API with a 1 s head deadline and 4 connections per address."""
    env = {
        "SYMPHAINY_REQUEST_HEAD_TIMEOUT_SECONDS": "1",
        "SYMPHAINY_MAX_CONNECTIONS_PER_ADDRESS": "4",
    }
    with extra_api(stack, env) as api:
        yield api


def test_slow_heads_are_answered_408_and_closed_while_still_dripping(guarded: Api) -> None:
    """Three clients drip a handshake a byte every 0.2 s (it would take minutes): each
    is closed after about 1 s, long before its last byte."""
    request = _handshake(guarded)
    with ExitStack() as stack:
        slow = [stack.enter_context(_connect(guarded)) for _ in range(3)]
        dripped = 0
        closed: set[int] = set()
        while len(closed) < len(slow) and dripped < len(request):
            for index, sock in enumerate(slow):
                if index not in closed and not _drip(sock, request[dripped : dripped + 1]):
                    closed.add(index)
            dripped += 1
            time.sleep(DRIP)
        assert closed == {0, 1, 2}
        assert dripped < len(request) // 4
        for sock in slow:
            assert _answer(sock).startswith(b"HTTP/1.1 408 ")
    with guarded.socket() as conn:
        assert conn.ready["type"] == "session.ready"


def _drip(sock: socket.socket, byte: bytes) -> bool:
    """Send one byte unless the server has answered; False once it has.

    It looks first: a byte sent after the server closed would draw a reset, which can
    discard the answer still unread in this socket's buffer.
    """
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        pass
    except OSError:
        return False
    else:
        return False
    try:
        sock.sendall(byte)
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("path", "extra", "status"),
    [
        ("/api/runtime/agent?pad=" + "x" * 9000, "", b"414"),
        ("/api/runtime/agent", "X-Pad: " + "x" * 9000 + "\r\n", b"431"),
        ("/api/sessions/x?pad=" + "x" * 9000, "", b"414"),
    ],
)
def test_an_oversized_line_gets_its_status_and_a_closed_connection(
    api: Api, path: str, extra: str, status: bytes
) -> None:
    with _connect(api) as sock:
        sock.sendall(_handshake(api, path, extra))
        answer = _answer(sock)
    assert answer.split(b" ")[1] == status


def test_connections_per_address_are_capped(guarded: Api) -> None:
    with ExitStack() as stack:
        conns = [stack.enter_context(guarded.socket()) for _ in range(3)]
        assert all(c.ready["type"] == "session.ready" for c in conns)
        with _connect(guarded) as idle, _connect(guarded) as over:
            answer = _answer(over)
            assert answer.startswith(b"HTTP/1.1 429 ")
            assert b"retry-after" in answer.lower()
            idle.close()
        deadline = time.monotonic() + WAIT
        while not _opens(guarded):
            assert time.monotonic() < deadline, "no connection slot came free"
            time.sleep(0.05)


def _opens(api: Api) -> bool:
    """A socket opens and gets `session.ready`."""
    try:
        with api.socket() as conn:
            return bool(conn.ready["type"] == "session.ready")
    except (InvalidHandshake, OSError):
        return False


def test_a_header_line_that_never_ends_gets_431(api: Api) -> None:
    host = api.base.removeprefix("http://")
    with _connect(api) as sock:
        sock.sendall(f"GET /api/sessions/x HTTP/1.1\r\nHost: {host}\r\nX-Pad: ".encode())
        with contextlib.suppress(OSError):
            for _ in range(64):
                sock.sendall(b"x" * 4096)
        answer = _answer(sock)
    assert answer.split(b" ")[1] == b"431"
