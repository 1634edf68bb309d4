"""The edge's rules at their edges, without a server: Host names, the flood window, the
start window, and the store's reservations."""

import asyncio
import fcntl
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import jwt
import pytest
from starlette.types import Message
from starlette.websockets import WebSocket
from temporalio.client import Client

from api import edge
from api.auth import Authenticator
from api.edge import FloodGuard, SocketRegistry, TokenBucket
from api.limits import BUSY_RETRY_SECONDS, RateLimited, StartWindow, UserCaps
from api.middleware import host_allowed
from settings import Settings
from storage.files import FileTooLarge, LocalFileStore, TooManyUploads


def _scope(host: str | None, server: str = "127.0.0.1") -> dict[str, object]:
    headers = [] if host is None else [(b"host", host.encode())]
    return {"type": "http", "headers": headers, "server": (server, 8000)}


@pytest.mark.parametrize(
    ("host", "server", "allowed"),
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("[::1]:8000", "::1", True),
        ("10.0.0.7:8000", "10.0.0.7", True),
        ("evil.example:8000", "127.0.0.1", False),
        ("evil.example", "127.0.0.1", False),
        ("127.0.0.2:8000", "127.0.0.1", False),
        ("symphainy.example", "127.0.0.1", True),
        ("SYMPHAINY.example:443", "127.0.0.1", True),
        (None, "127.0.0.1", False),
        ("[bad", "127.0.0.1", False),
    ],
)
def test_host_names(host: str | None, server: str, allowed: bool) -> None:
    assert host_allowed(_scope(host, server), frozenset({"symphainy.example"})) is allowed


def test_a_star_allows_any_host() -> None:
    assert host_allowed(_scope("anything.example"), frozenset({"*"}))


def _guard(strikes: int = 5, window: float = 10.0) -> FloodGuard:
    return FloodGuard(TokenBucket(0.0, 1), TokenBucket(1000.0, 1000), strikes, window)


def test_the_flood_guard_closes_at_the_strike_limit_even_when_refills_admit_frames() -> None:
    guard = _guard()
    assert guard.admit()
    for _ in range(4):
        assert not guard.admit()
        assert not guard.flooding()
    guard._own.tokens = 1  # a refill admits one frame: it forgives nothing
    assert guard.admit()
    assert not guard.admit()
    assert guard.flooding()


def test_strikes_older_than_the_window_do_not_count() -> None:
    guard = _guard(strikes=3, window=0.0)
    guard.admit()
    for _ in range(5):
        guard.admit()
    assert not guard.flooding()


def test_the_start_window_admits_exactly_the_cap(tmp_path: Path) -> None:
    window = StartWindow(tmp_path / "limits.sqlite")

    async def starts() -> int | None:
        for _ in range(3):
            await window.hit("ann", "session", 3, "sessions")
        try:
            await window.hit("ann", "session", 3, "sessions")
        except RateLimited as err:
            return err.retry_after
        return None

    retry_after = asyncio.run(starts())
    assert retry_after is not None and 0 < retry_after <= 60
    asyncio.run(window.hit("bob", "session", 3, "sessions"))
    asyncio.run(window.hit("ann", "intent", 3, "intents"))


async def _save(store: LocalFileStore, owner: str, size: int) -> None:
    """An upload that declared its size, as the API's route does."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"x" * size

    async with store.reserve(owner, size) as room:
        await store.save(owner, "a.csv", "text/csv", chunks(), room)


def test_the_quota_counts_stored_files_and_uploads_in_progress(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path, 1000, quota_bytes=1500, max_concurrent=2)

    async def run() -> None:
        await _save(store, "ann", 600)
        async with store.reserve("ann", 800):
            with pytest.raises(FileTooLarge, match="quota"):
                await _save(store, "ann", 101)
        await _save(store, "ann", 900)
        with pytest.raises(FileTooLarge, match="quota"):
            await _save(store, "ann", 1)
        await _save(store, "bob", 900)

    asyncio.run(run())
    assert store.usage("ann") == 1500


def test_concurrent_uploads_are_capped_and_a_dead_uploads_room_is_freed(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path, 1000, max_concurrent=1)

    async def run() -> None:
        async with store.reserve("ann", 10):
            with pytest.raises(TooManyUploads):
                async with store.reserve("ann", 10):
                    pass
        async with store.reserve("ann", 10) as room:
            dead = room.path.with_name("dead.10")
            dead.touch()
        async with store.reserve("ann", 10):
            assert not dead.exists()

    asyncio.run(run())
    assert not [p for p in (tmp_path / "incoming").rglob("*") if p.is_file()]


def test_a_live_reservation_in_another_process_counts(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path, 1000, max_concurrent=1)
    folder = tmp_path / "incoming"
    asyncio.run(_touch_room(store))
    held = next(p for p in folder.iterdir() if p.is_dir()) / "held.10"
    fd = os.open(held, os.O_CREAT | os.O_WRONLY)
    pid = os.fork()
    if pid == 0:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"x")
        signal.pause()
    try:
        while held.stat().st_size == 0:
            os.sched_yield()

        async def reserve() -> None:
            async with store.reserve("ann", 10):
                pass

        with pytest.raises(TooManyUploads):
            asyncio.run(reserve())
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


async def _touch_room(store: LocalFileStore) -> None:
    async with store.reserve("ann", 1):
        pass


class _Clock:
    """`time.monotonic` for the edge, moved by hand; it starts well ahead of the real one,
    which a new bucket's stamp still reads (a new bucket starts full either way)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    clock = _Clock(time.monotonic() + 1000.0)
    monkeypatch.setattr(time, "monotonic", clock)
    return clock


def test_a_bucket_spends_one_token_a_frame_and_refills_at_its_rate(clock: _Clock) -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.4  # 0.8 of a token
    assert not bucket.take()
    clock.now += 0.1  # 1.0
    assert bucket.take()
    assert not bucket.take()


def test_a_bucket_saves_at_most_its_burst_and_says_when_it_is_full(clock: _Clock) -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert bucket.full()
    bucket.take()
    assert not bucket.full()
    clock.now += 0.49
    assert not bucket.full()
    clock.now += 0.01
    assert bucket.full()
    clock.now += 60.0
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_a_socket_refused_more_often_than_the_strike_limit_is_still_flooding(
    clock: _Clock,
) -> None:
    guard = FloodGuard(TokenBucket(0.0, 0), TokenBucket(0.0, 0), 3, 10.0)
    for _ in range(7):
        assert not guard.admit()
    assert guard.flooding()


def test_the_window_counts_from_the_oldest_of_the_last_strikes_inclusive(clock: _Clock) -> None:
    """Refusals at 0, 5, 6, 7, 8 s with 5 strikes in 10 s: flooding until 10 s after the
    first, not after the second."""
    guard = FloodGuard(TokenBucket(0.0, 0), TokenBucket(0.0, 0), 5, 10.0)
    start = clock.now
    for at in (0.0, 5.0, 6.0, 7.0, 8.0):
        clock.now = start + at
        guard.admit()
    clock.now = start + 10.0
    assert guard.flooding()
    clock.now = start + 10.5
    assert not guard.flooding()


def test_a_frame_needs_a_token_from_both_the_socket_and_its_user(clock: _Clock) -> None:
    assert not FloodGuard(TokenBucket(0.0, 0), TokenBucket(0.0, 5), 5, 10.0).admit()
    assert not FloodGuard(TokenBucket(0.0, 5), TokenBucket(0.0, 0), 5, 10.0).admit()
    assert FloodGuard(TokenBucket(0.0, 1), TokenBucket(0.0, 1), 5, 10.0).admit()


class _Socket:
    def __init__(self) -> None:
        self.closed: list[tuple[int, str]] = []

    def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))


def _settings(**values: Any) -> Settings:
    defaults: dict[str, Any] = {
        "max_sockets_per_user": 2,
        "rate_per_socket": 0.0,
        "burst_per_socket": 5,
        "rate_per_user": 1.0,
        "burst_per_user": 3,
        "flood_strikes": 4,
        "flood_window_seconds": 7.0,
    }
    return Settings(**(defaults | values))


def test_a_user_opens_at_most_the_cap_of_sockets_others_are_counted_apart() -> None:
    registry = SocketRegistry(_settings())
    first, second, third = _Socket(), _Socket(), _Socket()
    assert registry.register("ann", first)
    assert registry.register("ann", second)
    assert not registry.register("ann", third)
    assert registry.register("bob", third)
    registry.unregister("ann", first)
    assert registry.register("ann", _Socket())
    assert not registry.register("ann", _Socket())
    registry.close_all(1001, "bye")
    assert (first.closed, second.closed, third.closed) == ([], [(1001, "bye")], [(1001, "bye")])


def test_a_user_with_an_open_socket_keeps_one_bucket_when_another_user_leaves(
    clock: _Clock,
) -> None:
    registry = SocketRegistry(_settings())
    registry.register("ann", _Socket())
    first = registry.guard("ann")
    bob = _Socket()
    registry.register("bob", bob)
    registry.unregister("bob", bob)
    second = registry.guard("ann")
    assert [first.admit(), second.admit(), first.admit(), second.admit()] == [True] * 3 + [False]


def test_a_users_sockets_share_one_bucket_kept_until_it_refilled(clock: _Clock) -> None:
    registry = SocketRegistry(_settings())
    socket = _Socket()
    registry.register("ann", socket)
    one, two = registry.guard("ann"), registry.guard("ann")
    assert [one.admit(), two.admit(), one.admit(), two.admit()] == [True, True, True, False]
    assert registry.guard("bob").admit()
    for _ in range(4):
        one.admit()
    assert one.flooding()
    registry.unregister("ann", socket)
    registry.register("ann", socket)
    assert not registry.guard("ann").admit()  # closing the socket bought no rate
    registry.unregister("ann", socket)
    clock.now += 3.0
    registry.unregister("bob", _Socket())
    assert [registry.guard("ann").admit() for _ in range(4)] == [True, True, True, False]


def test_a_new_socket_gets_its_own_bucket_of_the_per_socket_burst(clock: _Clock) -> None:
    registry = SocketRegistry(_settings(burst_per_user=100))
    guard = registry.guard("ann")
    assert [guard.admit() for _ in range(6)] == [True] * 5 + [False]
    assert registry.guard("ann").admit()


def test_close_all_closes_every_socket_and_waits_until_they_are_gone() -> None:
    registry = SocketRegistry(_settings())
    sockets = {"ann": _Socket(), "bob": _Socket()}

    async def settle() -> None:
        for _ in range(10):
            await asyncio.sleep(0)

    async def run() -> None:
        await asyncio.wait_for(registry.close_all_and_wait(1001, "bye", 30.0), 10)
        for user, socket in sockets.items():
            registry.register(user, socket)
        waited = asyncio.create_task(registry.close_all_and_wait(1001, "bye", 30.0))
        await settle()
        assert not waited.done()
        registry.unregister("ann", sockets["ann"])
        await settle()
        assert not waited.done()
        registry.unregister("bob", sockets["bob"])
        await asyncio.wait_for(waited, 10)

    asyncio.run(run())
    assert [s.closed for s in sockets.values()] == [[(1001, "bye")], [(1001, "bye")]]


def test_close_all_and_wait_gives_up_after_its_patience() -> None:
    registry = SocketRegistry(_settings())
    registry.register("ann", _Socket())
    asyncio.run(asyncio.wait_for(registry.close_all_and_wait(1001, "bye", 0.0), 10))


def _websocket(
    headers: dict[str, str], settings: Settings, sent: list[Message] | None = None
) -> WebSocket:
    """A handshake as uvicorn hands it to the app, arriving on 127.0.0.1:8000."""

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        if sent is not None:
            sent.append(message)

    state = SimpleNamespace(settings=settings, authenticator=Authenticator(settings))
    scope = {
        "type": "websocket",
        "path": "/api/runtime/agent",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("127.0.0.1", 8000),
        "app": SimpleNamespace(state=state),
    }
    return WebSocket(scope, receive, send)


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "evil.example", True),  # not a browser
        ("https://app.example", "127.0.0.1:8000", True),  # on the allowlist
        ("https://other.example", "127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),  # the API's own origin
        ("http://localhost:8000", "127.0.0.1:8000", False),  # not the Host it was sent
        ("http://evil.example", "evil.example", False),  # own origin, foreign Host: rebinding
        ("http://api.example", "api.example", True),  # own origin on an allowed Host
    ],
)
def test_origins(origin: str | None, host: str, allowed: bool) -> None:
    settings = Settings(allowed_origins=["https://app.example"], allowed_hosts=["api.example"])
    headers = {"host": host} | ({} if origin is None else {"origin": origin})
    assert edge.origin_allowed(_websocket(headers, settings), settings) is allowed


def test_a_star_allows_any_origin() -> None:
    settings = Settings(allowed_origins=["*"])
    headers = {"host": "127.0.0.1:8000", "origin": "https://any.example"}
    assert edge.origin_allowed(_websocket(headers, settings), settings)


SECRET = "y" * 40


def _admit(headers: dict[str, str]) -> tuple[edge.Admitted | None, list[Message]]:
    settings = Settings(auth_mode="token", jwt_secret=SECRET)
    sent: list[Message] = []
    admitted = asyncio.run(
        edge.admit(_websocket({"host": "127.0.0.1:8000"} | headers, settings, sent))
    )
    return admitted, sent


def test_a_foreign_origin_is_refused_before_accept() -> None:
    admitted, sent = _admit({"origin": "https://evil.example"})
    assert admitted is None
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "origin not allowed"}]


def test_bad_credentials_are_accepted_then_closed_with_the_reason() -> None:
    admitted, sent = _admit({"sec-websocket-protocol": "bearer, forged"})
    assert admitted is None
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]
    assert sent[0]["subprotocol"] == "bearer"
    assert (sent[1]["code"], sent[1]["reason"]) == (1008, "invalid token: DecodeError")


def test_a_valid_token_is_admitted_with_its_identity_and_subprotocol() -> None:
    token = jwt.encode({"sub": "ann", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    admitted, sent = _admit({"sec-websocket-protocol": f"bearer, {token}"})
    assert admitted is not None and sent == []
    assert (admitted.identity.user_id, admitted.subprotocol) == ("ann", "bearer")
    admitted, _ = _admit({"authorization": f"Bearer {token}"})
    assert admitted is not None
    assert (admitted.identity.user_id, admitted.subprotocol) == ("ann", None)


def test_the_start_window_slides_and_says_when_the_oldest_start_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starts at 1000, 1010 and 1020 s with a cap of 3 a minute: refused until 1060 s,
    when the first one is a full minute old, with Retry-After counting down to it."""
    window = StartWindow(tmp_path / "limits.sqlite")
    clock = _Clock(1000.0)
    monkeypatch.setattr(time, "time", clock)

    async def hit() -> int | None:
        try:
            await window.hit("ann", "session", 3, "sessions")
        except RateLimited as err:
            assert str(err) == f"more than 3 sessions a minute; try again in {err.retry_after} s"
            return err.retry_after
        return None

    def at(now: float) -> int | None:
        clock.now = now
        return asyncio.run(hit())

    assert [at(1000.0), at(1010.0), at(1020.0)] == [None, None, None]
    assert [at(1030.0), at(1059.2), at(1059.9)] == [30, 1, 1]
    assert at(1060.0) is None
    assert at(1060.5) == 10


class _Visibility:
    """Temporal's count of running workflows, as `UserCaps` asks for it."""

    def __init__(self, running: int) -> None:
        self.running = running
        self.queries: list[str] = []

    async def count_workflows(self, query: str) -> SimpleNamespace:
        self.queries.append(query)
        return SimpleNamespace(count=self.running)


def _caps(tmp_path: Path, running: int, **values: Any) -> tuple[UserCaps, _Visibility]:
    visibility = _Visibility(running)
    settings = Settings(
        auth_mode="token",
        jwt_secret="z" * 40,
        data_dir=tmp_path,
        max_open_sessions=3,
        max_running_executions=2,
        sessions_per_minute=1,
        intents_per_minute=1,
        **values,
    )
    return UserCaps(cast(Client, visibility), settings), visibility


def test_open_sessions_are_capped_at_the_limit_counted_in_visibility(tmp_path: Path) -> None:
    caps, visibility = _caps(tmp_path, running=2)
    asyncio.run(caps.new_session('a"n\\n'))
    assert visibility.queries == [
        'WorkflowType="Conversation" AND ExecutionStatus="Running" AND UserId="a\\"n\\\\n"'
    ]
    caps, _ = _caps(tmp_path / "full", running=3)
    with pytest.raises(RateLimited) as refused:
        asyncio.run(caps.new_session("ann"))
    assert refused.value.retry_after == BUSY_RETRY_SECONDS
    assert str(refused.value) == "you have 3 open sessions; the limit is 3: wait for one to end"


def test_running_executions_are_capped_then_intents_a_minute(tmp_path: Path) -> None:
    caps, visibility = _caps(tmp_path, running=1)
    asyncio.run(caps.new_execution("ann"))
    assert visibility.queries[0].startswith('WorkflowType="IntentExecution" ')
    with pytest.raises(RateLimited, match="more than 1 intents a minute"):
        asyncio.run(caps.new_execution("ann"))
    asyncio.run(caps.new_session("ann"))  # a session is counted apart from intents
    caps, _ = _caps(tmp_path / "full", running=2)
    with pytest.raises(RateLimited, match="you have 2 running executions; the limit is 2"):
        asyncio.run(caps.new_execution("ann"))


def test_sessions_a_minute_are_counted_per_user(tmp_path: Path) -> None:
    caps, _ = _caps(tmp_path / "nested" / "data", running=0)
    asyncio.run(caps.new_session("ann"))
    asyncio.run(caps.new_session("bob"))
    with pytest.raises(RateLimited, match=r"^more than 1 sessions a minute; try again in "):
        asyncio.run(caps.new_session("ann"))


def test_caps_apply_in_local_mode_only_when_asked(tmp_path: Path) -> None:
    visibility = _Visibility(running=100)
    local = Settings(data_dir=tmp_path, max_open_sessions=1)
    caps = UserCaps(cast(Client, visibility), local)
    asyncio.run(caps.new_session("local"))
    asyncio.run(caps.new_execution("local"))
    assert visibility.queries == []
    caps = UserCaps(cast(Client, visibility), Settings(data_dir=tmp_path, caps_in_local_mode=True))
    with pytest.raises(RateLimited):
        asyncio.run(caps.new_session("local"))


def _on_stop_signal(
    registry: SocketRegistry, unregister: Callable[[list[tuple[int, object]]], None]
) -> list[dict[str, Any]]:
    """Send SIGINT and SIGTERM (by calling their handlers) with the server's own handler
    on SIGTERM; `unregister` runs, with what that handler got so far, once every socket
    was told to close. What went wrong in the loop."""
    handed: list[tuple[int, object]] = []
    errors: list[dict[str, Any]] = []
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    frame = sys._getframe()

    async def run() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
        stopped = asyncio.Event()

        def server(signum: int, frame: object) -> None:
            handed.append((signum, frame))
            stopped.set()

        signal.signal(signal.SIGTERM, server)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        edge.close_sockets_on_exit(registry)
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            assert callable(handler)
            handler(signum, frame)
        for _ in range(10):
            await asyncio.sleep(0)
        unregister(handed)
        await asyncio.wait_for(stopped.wait(), 10)
        for _ in range(10):
            await asyncio.sleep(0)

    try:
        asyncio.run(run())
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert handed == [(signal.SIGTERM, frame)]
    return errors


def test_a_stop_signal_closes_every_socket_with_1001_before_the_server_stops() -> None:
    registry = SocketRegistry(_settings())
    socket = _Socket()
    registry.register("ann", socket)

    def unregister(handed: list[tuple[int, object]]) -> None:
        assert handed == []  # the server waits for the sockets
        registry.unregister("ann", socket)

    errors = _on_stop_signal(registry, unregister)
    assert socket.closed == [(1001, "server shutting down: reconnect")] * 2
    assert errors == []


def test_a_socket_that_never_closes_delays_the_stop_only_for_the_patience(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edge, "SHUTDOWN_PATIENCE", 0.0)
    registry = SocketRegistry(_settings())
    registry.register("ann", _Socket())
    errors = _on_stop_signal(registry, lambda handed: None)
    assert errors == []
