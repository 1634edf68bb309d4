"""One stream subscription per session per API process, fanned out to its sockets.

A workflow accepts at most 10 in-flight Updates and each subscription holds one, so
sockets never subscribe on their own: they attach to their session's `Feed`, which
keeps the recent events in memory for sockets that join late or reconnect.
"""

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.contrib.workflow_streams import WorkflowStreamClient, WorkflowStreamItem

from models.events import EVENTS_TOPIC, StreamEvent
from models.search import session_workflow_id

log = logging.getLogger(__name__)

_EVENT_TYPE: Any = StreamEvent
"""The union of event models; typed `Any` because `type[T]` cannot name an Annotated union."""

FEED_MEMORY = 1_000
"""Events a feed keeps for sockets that attach behind the live edge."""


@dataclass(frozen=True)
class Frame:
    """A stream event ready for the wire: its contract offset and its JSON text."""

    offset: int
    text: str


@dataclass(eq=False)
class Listener:
    """A socket's place in a feed: frames after `last_offset` go to `deliver`."""

    deliver: Callable[[Frame], None]
    last_offset: int

    def offer(self, frame: Frame) -> None:
        """Pass on each offset once, in order, whatever the replay/live overlap."""
        if frame.offset > self.last_offset:
            self.last_offset = frame.offset
            self.deliver(frame)


@dataclass(eq=False)
class Feed:
    """The live subscription of one session in this process."""

    session_id: str
    memory: deque[Frame] = field(default_factory=lambda: deque(maxlen=FEED_MEMORY))
    listeners: set[Listener] = field(default_factory=set)
    next_offset: int = 0
    task: asyncio.Task[None] | None = None
    linger: asyncio.TimerHandle | None = None

    def first_remembered(self) -> int:
        """The oldest offset still in memory (or the next one, when memory is empty)."""
        return self.memory[0].offset if self.memory else self.next_offset + 1

    def push(self, frame: Frame) -> None:
        self.memory.append(frame)
        self.next_offset = frame.offset
        for listener in list(self.listeners):
            listener.offer(frame)


class StreamHub:
    """Owns the feeds of this process; sockets attach and detach."""

    def __init__(self, client: Client, linger: timedelta, link: Callable[[str], str]) -> None:
        self._client = client
        self._linger = linger
        self._link = link
        self._feeds: dict[str, Feed] = {}

    async def attach(
        self, session_id: str, after: int, deliver: Callable[[Frame], None]
    ) -> Listener:
        """Deliver every event with offset > `after`, then live ones, exactly once each."""
        feed = self._feeds.get(session_id)
        if feed is None:
            feed = self._start(session_id, after)
        if feed.linger is not None:
            feed.linger.cancel()
            feed.linger = None
        listener = Listener(deliver=deliver, last_offset=after)
        while listener.last_offset + 1 < feed.first_remembered():
            if not await self._catch_up(feed, listener):
                break
        feed.listeners.add(listener)
        for frame in list(feed.memory):
            listener.offer(frame)
        return listener

    def detach(self, session_id: str, listener: Listener) -> None:
        """Forget a socket; a feed with no sockets stops after the linger time."""
        feed = self._feeds.get(session_id)
        if feed is None:
            return
        feed.listeners.discard(listener)
        if not feed.listeners and feed.linger is None:
            loop = asyncio.get_running_loop()
            feed.linger = loop.call_later(self._linger.total_seconds(), self._stop, feed)

    async def close(self) -> None:
        """Stop every feed (shutdown)."""
        tasks = [feed.task for feed in self._feeds.values() if feed.task]
        for feed in list(self._feeds.values()):
            self._stop(feed)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _start(self, session_id: str, after: int) -> Feed:
        feed = Feed(session_id=session_id, next_offset=after)
        feed.task = asyncio.create_task(self._follow(feed), name=f"feed-{session_id}")
        self._feeds[session_id] = feed
        return feed

    def _stop(self, feed: Feed) -> None:
        if feed.linger is not None:
            feed.linger.cancel()
        if self._feeds.get(feed.session_id) is feed and not feed.listeners:
            del self._feeds[feed.session_id]
            if feed.task:
                feed.task.cancel()

    async def _follow(self, feed: Feed) -> None:
        """The one long-poll of this session in this process; restarts after faults."""
        while True:
            try:
                async for item in self._subscribe(feed.session_id, feed.next_offset):
                    feed.push(self._frame(feed.session_id, item))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("stream subscription failed", extra={"session_id": feed.session_id})
                await asyncio.sleep(1.0)

    async def _catch_up(self, feed: Feed, listener: Listener) -> bool:
        """Read what the feed no longer remembers, straight from the workflow.

        Runs before the listener joins the feed, so live frames cannot overtake it.
        Returns False when the workflow has nothing older to give (events dropped at
        continue-as-new beyond the retained window): the listener resumes from memory.
        """
        target = feed.first_remembered()
        start = listener.last_offset
        async for item in self._subscribe(feed.session_id, start):
            frame = self._frame(feed.session_id, item)
            if frame.offset >= target:
                break
            listener.offer(frame)
            if frame.offset + 1 >= target:
                break
        return listener.last_offset > start

    def _frame(self, session_id: str, item: WorkflowStreamItem[Any]) -> Frame:
        """Contract offsets count from 1, the stream's from 0; `intent.created` gets a UI link."""
        offset = item.offset + 1
        body = item.data.model_dump(mode="json")
        if body.get("turn_id") is None:
            body.pop("turn_id", None)
        if body["type"] == "intent.created":
            body["temporal_ui_url"] = self._link(body["execution_id"])
        kind = body.pop("type")
        text = json.dumps({"type": kind, "offset": offset, "session_id": session_id, **body})
        return Frame(offset=offset, text=text)

    def _subscribe(self, session_id: str, after: int) -> AsyncIterator[WorkflowStreamItem[Any]]:
        stream = WorkflowStreamClient.create(self._client, session_workflow_id(session_id))
        return stream.subscribe(
            [EVENTS_TOPIC],
            from_offset=after,
            result_type=_EVENT_TYPE,
            poll_cooldown=timedelta(0),
        )
