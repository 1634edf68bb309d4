"""A socket's bounded send buffer: frames in order, and at most one close."""

import asyncio
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Close:
    """Close the socket with this code once it is this item's turn (or at once)."""

    code: int
    reason: str


class Outbox:
    """Everything a socket sends goes through here, so one task does all the sending."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: deque[str] = deque()
        self._close: Close | None = None
        self._wake = asyncio.Event()

    def put(self, text: str) -> None:
        """Queue a frame; a client that lets the buffer fill up is closed (it can resume)."""
        if len(self._items) >= self._limit:
            self.close(1008, "send buffer overflow: reconnect with after")
            return
        self._items.append(text)
        self._wake.set()

    def close(self, code: int, reason: str) -> None:
        """Close ahead of anything still queued; the first close wins."""
        if self._close is None:
            self._close = Close(code, reason)
            self._wake.set()

    async def next(self) -> str | Close:
        """The next frame to send, or the close."""
        while True:
            if self._close is not None:
                return self._close
            if self._items:
                return self._items.popleft()
            self._wake.clear()
            await self._wake.wait()
