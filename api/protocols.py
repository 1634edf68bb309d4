"""uvicorn's HTTP and WebSocket protocols with the bounds slow and malformed clients need.

uvicorn bounds the wait between requests (`--timeout-keep-alive`) but not the time a
client may take to send a request's line and headers, nor their size (httptools has no
limit), nor connections per client: 1,000 clients dripping headers held 1,000 files
open for minutes. These subclasses add, per API process:

- a deadline for the request line and headers (`SYMPHAINY_REQUEST_HEAD_TIMEOUT_SECONDS`,
  10 s): past it, 408 and the connection is closed;
- 8 KiB per request line (414) and per header line (431), 64 KiB for all headers (431),
  answered and closed at once;
- at most `SYMPHAINY_MAX_CONNECTIONS_PER_ADDRESS` (256) open connections, sockets
  included, per client address: the next one gets 429 and is closed;
- a WebSocket handshake that `websockets` refuses (its 414/431) is answered: uvicorn
  left the response unsent and the connection open.

Selected with `--http api.protocols:GuardedHttpProtocol --ws
api.protocols:GuardedWebSocketProtocol` (`launcher.UVICORN_FLAGS`).
"""

import asyncio
import functools
from asyncio import TimerHandle
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from settings import Settings

MAX_LINE = 8 * 1024
"""Bytes per request line and per header line (what `websockets` allows a handshake)."""
MAX_HEAD = 64 * 1024
"""Bytes for the request line and all headers together."""
LINGER_SECONDS = 2.0
"""How long a refused connection's incoming bytes are still read (and dropped)."""


@functools.cache
def _settings() -> Settings:
    """The protocols are built by uvicorn, not the app: they read the same settings."""
    return Settings()


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; the status is what the client gets."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class Addresses:
    """Open connections by client address in this process."""

    def __init__(self) -> None:
        self._open: dict[str, set[asyncio.BaseTransport]] = {}

    def admit(self, transport: asyncio.BaseTransport, limit: int) -> bool:
        """Count the connection; False when its address already has `limit` open."""
        address = _address(transport)
        if address is None or limit <= 0:
            return True
        mine = self._open.setdefault(address, set())
        if len(mine) >= limit:
            return False
        mine.add(transport)
        return True

    def release(self, transport: asyncio.BaseTransport) -> None:
        address = _address(transport)
        mine = self._open.get(address or "")
        if mine is not None:
            mine.discard(transport)
            if not mine:
                del self._open[address or ""]


ADDRESSES = Addresses()


class GuardedHttpProtocol(HttpToolsProtocol):
    """httptools' protocol with a head deadline, head size limits and a per-address cap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: TimerHandle | None = None
        self._head_bytes = 0
        self._in_head = True
        self._refusal: HTTPStatus | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not ADDRESSES.admit(transport, _settings().max_connections_per_address):
            self._refuse(HTTPStatus.TOO_MANY_REQUESTS, "too many connections from your address")
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        ADDRESSES.release(self.transport)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Past the parser first (a chunk may hold the end of the head and a body); a
        head still incomplete after this many bytes holds an endless line: 431."""
        if self._refusal is not None:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._refusal is None and self._head_bytes > MAX_HEAD + MAX_LINE:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_LINE:
            self._stop(HTTPStatus.REQUEST_URI_TOO_LONG)

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        if len(name) + len(value) > MAX_LINE:
            self._stop(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
        if sum(len(n) + len(v) for n, v in self.headers) > MAX_HEAD:
            self._stop(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()

    def handle_websocket_upgrade(self) -> None:
        """The socket protocol takes the connection (and releases its address)."""
        self._disarm()
        super().handle_websocket_upgrade()

    def _stop(self, status: HTTPStatus) -> None:
        """From a parser callback: stop parsing; uvicorn then calls `send_400_response`."""
        self._refusal = status
        raise _Refused(status)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error; ours when a callback refused the request."""
        if self._refusal is None:
            super().send_400_response(msg)
        else:
            self._refuse(self._refusal, f"{self._refusal.phrase}: at most {MAX_LINE} bytes a line")

    def _arm(self) -> None:
        self._disarm()
        timeout = _settings().request_head_timeout_seconds
        self._head_timer = self.loop.call_later(timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(HTTPStatus.REQUEST_TIMEOUT, "the request took too long to arrive")

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        """Answer with `status` and close.

        A client still sending a head too large gets a lingering close: closing while
        its bytes arrive would make the kernel answer with a reset, which can destroy
        the response before it is read, so what still comes is read and dropped for at
        most `LINGER_SECONDS`. Slow and surplus clients are closed at once: lingering
        would hold their files, which is what the bounds are for.
        """
        self._refusal = status
        self._disarm()
        self.transport.write(_response(status, message))
        if status in _LINGER and self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


_LINGER = (HTTPStatus.REQUEST_URI_TOO_LONG, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """The sans-I/O socket protocol that answers the handshakes it refuses and releases
    its client's address when the connection ends."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        ADDRESSES.release(self.transport)
        super().connection_lost(exc)


def _response(status: HTTPStatus, message: str) -> bytes:
    body = f"{message}\n".encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n"
    )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        head += "retry-after: 5\r\n"
    return head.encode() + b"\r\n" + body


def _address(transport: asyncio.BaseTransport) -> str | None:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) else None
