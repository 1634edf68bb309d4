"""One stream subscription per session per API process, read by its sockets at their pace.

A workflow accepts at most 10 in-flight Updates and each subscription holds one, so
sockets never subscribe on their own: they read their session's `Feed`, which keeps
the newest events in memory. Each socket keeps only a cursor (the last offset it sent),
so a socket costs no buffer of its own: a slow reader simply lags, and one that lags
out of the feed's memory is told to reconnect (the stream is durable, nothing is lost).
"""

import asyncio
import contextlib
import contextvars
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.workflow_streams import WorkflowStreamClient, WorkflowStreamItem

from api.conversations import NotOwner
from api.wire import event_frame
from models.events import EVENTS_TOPIC, StreamEvent, TurnCompleted
from models.search import session_workflow_id

log = logging.getLogger(__name__)

_EVENT_TYPE: Any = StreamEvent
"""The union of event models; typed `Any` because `type[T]` cannot name an Annotated union."""

CATCH_UP_BATCH = 500
"""Events read straight from the workflow per round when a socket starts far behind."""
ENDED_RECHECK = 2.0
"""Seconds between looks at an ended session that sockets still watch (one describe)."""
SETTLE = 0.1
"""Seconds a feed waits, after a turn ends, before it polls again, unless a socket here
is done with a frame first (see `Feed.settle`)."""


@dataclass(frozen=True)
class Frame:
    """A stream event ready for the wire: its contract offset and its JSON text."""

    offset: int
    text: str


class Behind(Exception):
    """The reader's cursor is older than anything the feed still remembers."""


@dataclass(eq=False)
class Feed:
    """The live subscription of one session in this process, and its recent events."""

    session_id: str
    owner: str
    """The user the session belongs to, as the workflow said when the first socket joined."""
    newest: int
    memory: deque[Frame]
    readers: set[asyncio.Event] = field(default_factory=set)
    transient: dict[asyncio.Event, Callable[[str], None]] = field(default_factory=dict)
    """How to hand each reader a frame that is not in the stream (`agent.delta`)."""
    task: asyncio.Task[None] | None = None
    linger: asyncio.TimerHandle | None = None
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when this process resumed the session's ended run: follow the new run now."""
    busy: int = 0
    """Sockets here carrying out a frame (a message's `submit`, a decision) right now."""
    handled: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a socket here is done carrying out a frame: poll again now (`settle`)."""
    live_from: int = 0
    """The session's newest offset when the last socket joined: a turn that ends at or
    past it is live (the feed settles after it), an older one is a catch-up, read
    straight through."""

    def first_remembered(self) -> int:
        """The oldest offset still in memory (or the next one, when memory is empty)."""
        return self.memory[0].offset if self.memory else self.newest + 1

    def after(self, cursor: int) -> list[Frame]:
        """Every remembered frame past `cursor`, in order; `Behind` if some are gone."""
        if cursor >= self.newest:
            return []
        if cursor + 1 < self.first_remembered():
            raise Behind(cursor)
        skip = cursor + 1 - self.first_remembered()
        return list(self.memory)[skip:]

    async def settle(self, patience: float) -> None:
        """After a turn ends, poll again once a socket here is done with its next frame
        (at once if one already is): after `patience` if none comes, and not while one
        is under way (a `submit` slower than `patience` under load).

        A poll is an Update, and an Update reaching the session while the previous one's
        workflow task runs waits for it: a poll sent the moment a turn ends would be in
        the way of a client's next message. Polling right after that message's `submit`
        also lets its task run the turn's agents (patch `accept-before-agents`) without a
        task of its own. Events from elsewhere (a REST intent, another API process) wait
        at most `patience` when they come first after a turn.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while not self.handled.is_set():
            left = deadline - loop.time()
            if left <= 0 and not self.busy:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.handled.wait(), None if self.busy else left)
        self.handled.clear()

    def push(self, frame: Frame) -> None:
        if frame.offset <= self.newest:
            return
        self.memory.append(frame)
        self.newest = frame.offset
        for wake in self.readers:
            wake.set()


class StreamHub:
    """Owns the feeds of this process; sockets join and leave."""

    def __init__(
        self, client: Client, *, linger: timedelta, memory: int, link: Callable[[str], str]
    ) -> None:
        self._client = client
        self._linger = linger
        self._memory = memory
        self._link = link
        self._feeds: dict[str, Feed] = {}

    def join(
        self,
        session_id: str,
        owner: str,
        after: int,
        wake: asyncio.Event,
        transient: Callable[[str], None] | None = None,
        latest: int = 0,
    ) -> Feed:
        """The session's feed, following from `after` if it was not running yet.

        `latest`: the session's newest offset as the joining socket learned it (turns
        that ended before it are read without settling: `Feed.live_from`).

        `owner` is the session's owner as the workflow answered the joining socket (its
        `info`, or its accepted `submit`); a feed never serves two owners (`NotOwner`).
        `transient` takes the session's frames that are not in the stream.
        """
        feed = self._feeds.get(session_id)
        if feed is not None and feed.owner != owner:
            raise NotOwner(session_id)
        if feed is None:
            feed = Feed(
                session_id=session_id, owner=owner, newest=after, memory=deque(maxlen=self._memory)
            )
            feed.task = asyncio.create_task(
                self._follow(feed),
                name=f"feed-{session_id}",
                context=contextvars.Context(),  # not the trace and ids of the socket that opened it
            )
            self._feeds[session_id] = feed
        if feed.linger is not None:
            feed.linger.cancel()
            feed.linger = None
        feed.live_from = max(feed.live_from, latest)
        feed.readers.add(wake)
        if transient is not None:
            feed.transient[wake] = transient
        return feed

    def transient(self, session_id: str, text: str) -> int:
        """Hand a frame that is not in the stream to the session's sockets in this
        process (none when it has no feed here); how many took it."""
        feed = self._feeds.get(session_id)
        if feed is None:
            return 0
        for send in feed.transient.values():
            send(text)
        return len(feed.transient)

    @contextlib.contextmanager
    def handling(self, session_id: str) -> Iterator[None]:
        """A socket here carries out a frame: the session's feed, waiting after a turn,
        polls again once the frame is done (`Feed.settle`)."""
        feed = self._feeds.get(session_id)
        if feed is None:
            yield
            return
        feed.busy += 1
        try:
            yield
        finally:
            feed.busy -= 1
            feed.handled.set()

    def accepted(self, session_id: str, frame: Frame) -> None:
        """A socket here had a message recorded: its `message.accepted` joins the feed
        when it is the feed's next offset, so the poll that follows asks past it (and
        does not come back at once with it alone)."""
        feed = self._feeds.get(session_id)
        if feed is not None and frame.offset == feed.newest + 1:
            feed.push(frame)

    def resumed(self, session_id: str) -> None:
        """The session has a running workflow again: a feed waiting on its end follows it."""
        feed = self._feeds.get(session_id)
        if feed is not None:
            feed.resumed.set()

    def leave(self, feed: Feed, wake: asyncio.Event) -> None:
        """Forget a socket; a feed with no sockets stops after the linger time."""
        feed.readers.discard(wake)
        feed.transient.pop(wake, None)
        if not feed.readers and feed.linger is None:
            loop = asyncio.get_running_loop()
            feed.linger = loop.call_later(self._linger.total_seconds(), self._stop, feed)

    async def older(self, session_id: str, after: int, before: int) -> list[Frame]:
        """Up to `CATCH_UP_BATCH` events in (after, before), read from the workflow.

        For sockets that start behind the feed's memory (a reconnect with an old
        offset). Events dropped at continue-as-new beyond the retained window cannot
        be read: the result then starts at the oldest retained event.
        """
        frames: list[Frame] = []
        async for item in self._subscribe(session_id, after):
            frame = self._frame(session_id, item)
            if frame.offset >= before:
                break
            frames.append(frame)
            if frame.offset + 1 >= before or len(frames) >= CATCH_UP_BATCH:
                break
        return frames

    async def close(self) -> None:
        """Stop every feed (shutdown)."""
        feeds = list(self._feeds.values())
        for feed in feeds:
            feed.readers.clear()
            self._stop(feed)
        for feed in feeds:
            if feed.task:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await feed.task

    def _stop(self, feed: Feed) -> None:
        if feed.linger is not None:
            feed.linger.cancel()
        if self._feeds.get(feed.session_id) is feed and not feed.readers:
            del self._feeds[feed.session_id]
            if feed.task:
                feed.task.cancel()

    async def _follow(self, feed: Feed) -> None:
        """The one long-poll of this session in this process; restarts after faults."""
        while True:
            try:
                await self._read(feed)
                await self._until_running(feed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("stream subscription failed", extra={"session_id": feed.session_id})
                await asyncio.sleep(1.0)

    async def _read(self, feed: Feed) -> None:
        """Push the session's events to the feed until its run ends; after each live
        turn, wait for the next message (`Feed.settle`), and poll from past its
        acceptance when a socket here has already pushed it."""
        while True:
            async with contextlib.aclosing(self._subscribe(feed.session_id, feed.newest)) as items:
                async for item in items:
                    frame = self._frame(feed.session_id, item)
                    feed.push(frame)
                    if isinstance(item.data, TurnCompleted) and frame.offset >= feed.live_from:
                        await feed.settle(SETTLE)
                        if feed.newest > frame.offset:
                            break
                else:
                    return

    async def _until_running(self, feed: Feed) -> None:
        """The subscription ended with the session's run (it was idle): wait, cheaply,
        until a new run of it is running (resumed here, or by another API process)."""
        handle = self._client.get_workflow_handle(session_workflow_id(feed.session_id))
        while True:
            feed.resumed.clear()
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(feed.resumed.wait(), ENDED_RECHECK)

    def _frame(self, session_id: str, item: WorkflowStreamItem[Any]) -> Frame:
        """Contract offsets count from 1, the stream's from 0."""
        return self.frame(session_id, item.offset + 1, item.data)

    def frame(self, session_id: str, offset: int, event: StreamEvent) -> Frame:
        """The wire form of a session's event at a contract offset; `intent.created`
        gets a UI link. The socket sends `message.accepted` in this same form before
        the stream carries it, so both copies are the same text."""
        return Frame(offset=offset, text=event_frame(event, offset, session_id, self._link))

    def _subscribe(
        self, session_id: str, after: int
    ) -> AsyncGenerator[WorkflowStreamItem[Any], None]:
        """The session's events from `after` on (an async generator, typed by the library
        as an iterator: `_read` closes it when it polls again from elsewhere)."""
        stream = WorkflowStreamClient.create(self._client, session_workflow_id(session_id))
        items = stream.subscribe(
            [EVENTS_TOPIC],
            from_offset=after,
            result_type=_EVENT_TYPE,
            poll_cooldown=timedelta(0),
        )
        return cast(AsyncGenerator[WorkflowStreamItem[Any], None], items)
