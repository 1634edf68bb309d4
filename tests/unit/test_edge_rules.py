"""The edge's rules at their edges, without a server: Host names, the flood window, the
start window, and the store's reservations."""

import asyncio
import fcntl
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.edge import FloodGuard, TokenBucket
from api.limits import RateLimited, StartWindow
from api.middleware import host_allowed
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
