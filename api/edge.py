"""What guards the sockets: Origin allowlist, rate limits, per-user socket caps, shutdown.

Starlette's CORS middleware does not look at WebSocket handshakes, so the Origin check
lives here and runs before `accept()`.
"""

import asyncio
import contextlib
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Protocol
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from api.auth import Authenticator, AuthError, Identity, credentials
from api.middleware import host_allowed
from settings import Settings


@dataclass(frozen=True)
class Admitted:
    """A socket past the Origin and auth checks: who it is, and the subprotocol to echo."""

    identity: Identity
    subprotocol: str | None


async def admit(websocket: WebSocket) -> Admitted | None:
    """Foreign Origin: HTTP 403 before accept. Bad credentials: accept, then close 1008.

    Returns None when the socket was refused (and is closed).
    """
    settings: Settings = websocket.app.state.settings
    if not origin_allowed(websocket, settings):
        await websocket.close(1008, "origin not allowed")
        return None
    given = credentials(websocket)
    authenticator: Authenticator = websocket.app.state.authenticator
    try:
        identity = authenticator.identify(given.token)
    except AuthError as err:
        await websocket.accept(subprotocol=given.subprotocol)
        await websocket.close(1008, str(err))
        return None
    return Admitted(identity, given.subprotocol)


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """No Origin (not a browser), the API's own origin, or one on the allowlist.

    "Own origin" is an Origin equal to the Host, trusted only for an allowed Host: a
    rebinding attacker sends a matching Origin and Host of their own.
    """
    origin = websocket.headers.get("origin")
    if origin is None or "*" in settings.allowed_origins or origin in settings.allowed_origins:
        return True
    own = urlsplit(origin).netloc == websocket.headers.get("host")
    return own and host_allowed(websocket.scope, frozenset(settings.allowed_hosts))


@dataclass
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def full(self) -> bool:
        """Refilled to its burst: forgetting it now gives its owner nothing more."""
        self._refill()
        return self.tokens >= self.burst

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class FloodGuard:
    """One socket's admission: its own bucket and its user's; a socket that has
    `strikes` frames refused within `window` seconds is closed.

    Refusals are counted over a window rather than "in a row": a flooder is admitted
    a frame on every refill, which would otherwise forgive it ten times a second.
    """

    def __init__(self, own: TokenBucket, user: TokenBucket, strikes: int, window: float) -> None:
        self._own = own
        self._user = user
        self._strikes = strikes
        self._window = window
        self._refused: deque[float] = deque(maxlen=strikes)

    def admit(self) -> bool:
        """True: handle the frame. False: refuse it (`flooding()` says whether to close)."""
        if self._own.take() and self._user.take():
            return True
        self._refused.append(time.monotonic())
        return False

    def flooding(self) -> bool:
        """`strikes` refusals, the oldest of them within the window."""
        return (
            len(self._refused) == self._strikes
            and time.monotonic() - self._refused[0] <= self._window
        )


class Closable(Protocol):
    """What the registry can ask a socket to do."""

    def close(self, code: int, reason: str) -> None: ...


class SocketRegistry:
    """Every open socket by user: per-user caps, per-user rate, and 1001 on shutdown."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._sockets: dict[str, set[Closable]] = {}
        self._buckets: dict[str, TokenBucket] = {}
        self._none_open = asyncio.Event()
        self._none_open.set()

    def register(self, user_id: str, socket: Closable) -> bool:
        """False when the user already has the maximum number of sockets open."""
        mine = self._sockets.setdefault(user_id, set())
        if len(mine) >= self._settings.max_sockets_per_user:
            return False
        mine.add(socket)
        self._none_open.clear()
        return True

    def unregister(self, user_id: str, socket: Closable) -> None:
        mine = self._sockets.get(user_id, set())
        mine.discard(socket)
        if not mine:
            self._sockets.pop(user_id, None)
        self._forget_refilled()
        if not self._sockets:
            self._none_open.set()

    def _forget_refilled(self) -> None:
        """Drop the buckets of users with no socket once refilled: a reconnect then
        gets what it would have had anyway, so closing sockets never buys rate."""
        for user_id in [u for u in self._buckets if u not in self._sockets]:
            if self._buckets[user_id].full():
                del self._buckets[user_id]

    def guard(self, user_id: str) -> FloodGuard:
        """A new socket's admission: its own bucket, and the bucket its user's sockets share."""
        settings = self._settings
        own = TokenBucket(settings.rate_per_socket, settings.burst_per_socket)
        return FloodGuard(
            own, self._user_bucket(user_id), settings.flood_strikes, settings.flood_window_seconds
        )

    def _user_bucket(self, user_id: str) -> TokenBucket:
        """Shared by all of a user's sockets, so opening more sockets buys no more rate;
        kept after the last socket closes until it has refilled."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            settings = self._settings
            bucket = TokenBucket(settings.rate_per_user, settings.burst_per_user)
            self._buckets[user_id] = bucket
        return bucket

    def close_all(self, code: int, reason: str) -> None:
        for sockets in self._sockets.values():
            for socket in list(sockets):
                socket.close(code, reason)

    async def close_all_and_wait(self, code: int, reason: str, patience: float) -> None:
        """Close every socket, then wait (at most `patience` s) until each has closed."""
        self.close_all(code, reason)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._none_open.wait(), patience)


SHUTDOWN_PATIENCE = 5.0
"""Seconds the sockets get to send their 1001 before uvicorn is told to stop."""


def close_sockets_on_exit(registry: SocketRegistry) -> None:
    """Close every socket with 1001 when the server is told to stop, and only then let
    uvicorn stop: it would drop open connections with 1012. Clients reconnect elsewhere."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        signal.signal(signum, _chained(loop, registry, previous))


def _chained(
    loop: asyncio.AbstractEventLoop, registry: SocketRegistry, previous: Any
) -> Callable[[int, FrameType | None], None]:
    async def close_then_stop(signum: int, frame: FrameType | None) -> None:
        await registry.close_all_and_wait(
            1001, "server shutting down: reconnect", SHUTDOWN_PATIENCE
        )
        if callable(previous):
            previous(signum, frame)

    stopping: set[asyncio.Task[None]] = set()

    def start(signum: int, frame: FrameType | None) -> None:
        task = loop.create_task(close_then_stop(signum, frame))
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(start, signum, frame)

    return handler
