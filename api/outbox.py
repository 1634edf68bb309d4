"""A socket's control frames (ready, errors, pongs), its transient agent.delta frames and
its close, sent by one task."""

import asyncio
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Close:
    """Close the socket with this code once the queued frames are sent."""

    code: int
    reason: str


class Outbox:
    """Bounded: a client that makes the server answer faster than it reads is closed."""

    def __init__(self, limit: int, wake: asyncio.Event) -> None:
        self._limit = limit
        self._wake = wake
        self._items: deque[str] = deque()
        self._close: Close | None = None

    def put(self, text: str) -> None:
        """Queue a frame; past the limit the socket closes (it can reconnect and resume)."""
        if len(self._items) >= self._limit:
            self.close(1008, "send buffer overflow: reconnect with after")
            return
        self._items.append(text)
        self._wake.set()

    def offer(self, text: str) -> None:
        """Queue a frame that may be lost (`agent.delta`): dropped past the limit or once
        the socket is closing, so it never closes a slow reader's socket by itself."""
        if len(self._items) < self._limit and self._close is None:
            self._items.append(text)
            self._wake.set()

    def close(self, code: int, reason: str) -> None:
        """The first close wins; frames already queued (the errors that led here) go first."""
        if self._close is None:
            self._close = Close(code, reason)
            self._wake.set()

    def take(self) -> str | Close | None:
        """The next frame, else the close if one is due, else None."""
        if self._items:
            return self._items.popleft()
        return self._close
