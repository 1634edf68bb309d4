"""Unit tests of the feed a socket reads by cursor, and of the control-frame outbox."""

import asyncio
import contextvars
import json
import logging
from collections import deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.workflow_streams import WorkflowStreamItem

from api import hub as hub_module
from api.conversations import NotOwner
from api.hub import CATCH_UP_BATCH, Behind, Feed, Frame, StreamHub
from api.outbox import Close, Outbox
from models.events import (
    EVENTS_TOPIC,
    IntentCreated,
    MessageAccepted,
    StreamEvent,
    TurnCompleted,
)
from models.intents import Intent, Realm
from models.search import session_workflow_id


def _feed(memory: int, newest: int = 0) -> Feed:
    return Feed(session_id="s", owner="ann", newest=newest, memory=deque(maxlen=memory))


def test_a_reader_gets_every_frame_after_its_cursor_once() -> None:
    feed = _feed(10)
    wake = asyncio.Event()
    feed.readers.add(wake)
    for offset in (1, 2, 3, 3, 2):
        feed.push(Frame(offset, f"e{offset}"))
    assert wake.is_set()
    assert [f.offset for f in feed.after(0)] == [1, 2, 3]
    assert [f.offset for f in feed.after(2)] == [3]
    assert feed.after(3) == []


def test_a_reader_that_lags_out_of_memory_is_behind() -> None:
    feed = _feed(3)
    for offset in range(1, 8):
        feed.push(Frame(offset, ""))
    assert feed.first_remembered() == 5
    assert [f.offset for f in feed.after(4)] == [5, 6, 7]
    with pytest.raises(Behind):
        feed.after(3)


def test_a_feed_joined_late_starts_at_its_first_offset() -> None:
    feed = _feed(5, newest=40)
    assert feed.after(40) == []
    assert feed.first_remembered() == 41
    feed.push(Frame(41, ""))
    assert [f.offset for f in feed.after(40)] == [41]


def test_the_outbox_sends_queued_frames_before_closing_and_closes_on_overflow() -> None:
    outbox = Outbox(2, asyncio.Event())
    outbox.put("a")
    outbox.put("b")
    outbox.put("c")
    assert [outbox.take(), outbox.take()] == ["a", "b"]
    assert outbox.take() == Close(1008, "send buffer overflow: reconnect with after")
    outbox.close(1001, "later close loses")
    assert outbox.take() == Close(1008, "send buffer overflow: reconnect with after")


TS = datetime(2026, 1, 1, tzinfo=UTC)


SOCKET = contextvars.ContextVar[str | None]("socket", default=None)
"""Stands for the trace and ids of the socket that is running when a feed starts."""


class _Workflows:
    """The client's view of the session's workflow: the statuses `describe` answers."""

    def __init__(self, *statuses: WorkflowExecutionStatus) -> None:
        self.statuses = list(statuses)
        self.described: list[str] = []
        self.asked = asyncio.Event()

    def get_workflow_handle(self, workflow_id: str) -> "_Workflows":
        self.described.append(workflow_id)
        return self

    async def describe(self) -> SimpleNamespace:
        self.asked.set()
        return SimpleNamespace(status=self.statuses.pop(0))


class _Hub(StreamHub):
    """A hub whose session stream is a list, read like the real long poll: from a stream
    offset (counted from 0), items from the oldest retained one, then waiting for more
    (or ending, for the first `ending` subscriptions: the run ended). The first
    `failures` subscriptions fail."""

    def __init__(
        self,
        count: int,
        *,
        retained: int = 0,
        linger: float = 60.0,
        ending: int = 0,
        failures: int = 0,
        workflows: _Workflows | None = None,
    ) -> None:
        super().__init__(
            cast(Client, workflows),
            linger=timedelta(seconds=linger),
            memory=5,
            link=lambda e: f"ui/{e}",
        )
        self.events: list[StreamEvent] = [
            MessageAccepted(ts=TS, message_id=f"m{i}") for i in range(count)
        ]
        self.retained = retained
        self.ending = ending
        self.failures = failures
        self.subscribed: list[tuple[str, int]] = []
        self.contexts: list[str | None] = []
        self.published = asyncio.Event()

    def _subscribe(
        self, session_id: str, after: int
    ) -> AsyncGenerator[WorkflowStreamItem[Any], None]:
        self.subscribed.append((session_id, after))
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the poll failed")
        return self._items(after)

    async def _items(self, after: int) -> AsyncGenerator[WorkflowStreamItem[Any], None]:
        self.contexts.append(SOCKET.get())
        offset = max(after, self.retained)
        while True:
            while offset < len(self.events):
                yield WorkflowStreamItem(
                    topic=EVENTS_TOPIC, data=self.events[offset], offset=offset
                )
                offset += 1
            if self.ending:
                self.ending -= 1
                return
            self.published.clear()
            await self.published.wait()

    def publish(self, message_id: str) -> None:
        """The workflow publishes one more event."""
        self.events.append(MessageAccepted(ts=TS, message_id=message_id))
        self.published.set()


def _offsets(frames: list[Frame], session_id: str = "s") -> list[int]:
    """Each frame's offset, read back from its wire text as a client would."""
    assert all(json.loads(f.text)["session_id"] == session_id for f in frames)
    return [json.loads(f.text)["offset"] for f in frames]


async def _older(hub: StreamHub, after: int, before: int) -> list[Frame]:
    return await asyncio.wait_for(hub.older("s", after, before), 10)


def test_older_reads_the_events_strictly_between_the_cursor_and_the_feed() -> None:
    """Contract offsets count from 1: after 2 is the stream's item 2, the third event."""
    hub = _Hub(10)
    frames = asyncio.run(_older(hub, 2, 6))
    assert hub.subscribed == [("s", 2)]
    assert [f.offset for f in frames] == _offsets(frames) == [3, 4, 5]
    assert [json.loads(f.text)["message_id"] for f in frames] == ["m2", "m3", "m4"]
    assert _offsets(asyncio.run(_older(_Hub(10), 9, 11))) == [10]
    assert _offsets(asyncio.run(_older(_Hub(10), 4, 6))) == [5]


def test_older_starts_at_the_oldest_retained_event_and_stops_at_the_feed() -> None:
    assert _offsets(asyncio.run(_older(_Hub(10, retained=7), 2, 10))) == [8, 9]
    assert asyncio.run(_older(_Hub(10, retained=7), 2, 8)) == []
    assert _offsets(asyncio.run(_older(_Hub(10, retained=7), 2, 9))) == [8]


def test_older_reads_at_most_one_batch_per_round() -> None:
    count = CATCH_UP_BATCH + 3
    frames = asyncio.run(_older(_Hub(count), 0, count + 1))
    assert _offsets(frames) == list(range(1, CATCH_UP_BATCH + 1))


def test_a_frame_carries_its_offset_and_session_a_link_and_no_empty_turn() -> None:
    hub = _Hub(0)
    intent = Intent(name="profile_data", realm=Realm.INSIGHTS)
    created = json.loads(
        hub.frame("s1", 7, IntentCreated(ts=TS, execution_id="x1", intent=intent)).text
    )
    assert list(created)[:3] == ["type", "offset", "session_id"]
    assert (created["type"], created["offset"], created["session_id"]) == (
        "intent.created",
        7,
        "s1",
    )
    assert created["temporal_ui_url"] == "ui/x1"
    assert "turn_id" not in created
    done = json.loads(
        hub.frame("s1", 8, TurnCompleted(ts=TS, turn_id="t1", status="completed")).text
    )
    assert done["turn_id"] == "t1"
    assert "temporal_ui_url" not in done


async def _until_newest(feed: Feed, wake: asyncio.Event, offset: int) -> None:
    """Wait on the reader's wake until the feed holds `offset`, for at most 10 s."""

    async def reached() -> None:
        while feed.newest < offset:
            await wake.wait()
            wake.clear()

    await asyncio.wait_for(reached(), 10)


def test_a_joined_feed_follows_the_stream_from_the_joining_cursor() -> None:
    async def run() -> None:
        hub = _Hub(6)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 3, wake)
        await _until_newest(feed, wake, 6)
        assert hub.subscribed == [("s", 3)]
        assert _offsets(feed.after(3)) == [4, 5, 6]
        assert hub.join("s", "ann", 0, asyncio.Event()) is feed
        with pytest.raises(NotOwner):
            hub.join("s", "bob", 0, asyncio.Event())
        await hub.close()
        assert feed.task is not None and feed.task.cancelled()

    asyncio.run(run())


def test_a_feed_lingers_after_its_last_reader_and_a_rejoin_keeps_it() -> None:
    async def run() -> None:
        hub = _Hub(0, linger=3600.0)
        first, second = asyncio.Event(), asyncio.Event()
        feed = hub.join("s", "ann", 0, first)
        hub.join("s", "ann", 0, second)
        hub.leave(feed, first)
        assert feed.linger is None
        hub.leave(feed, second)
        assert feed.linger is not None
        timer = feed.linger
        assert 3590 < timer.when() - asyncio.get_running_loop().time() <= 3600
        hub.leave(feed, second)
        assert feed.linger is timer
        assert hub.join("s", "ann", 0, first) is feed
        assert feed.linger is None and timer.cancelled()
        assert feed.readers == {first}
        await hub.close()

    asyncio.run(run())


def test_a_feed_without_readers_stops_after_the_linger_and_a_new_one_starts() -> None:
    async def run() -> None:
        hub = _Hub(0, linger=0.0)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        hub.leave(feed, wake)
        task = feed.task
        assert task is not None
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        again = hub.join("s", "ann", 0, wake)
        assert again is not feed
        hub._stop(feed)
        assert hub.join("s", "ann", 0, asyncio.Event()) is again
        assert again.task is not None and not again.task.done()
        await hub.close()
        assert again.task.cancelled()

    asyncio.run(run())


def test_resumed_wakes_the_feed_of_that_session_only() -> None:
    async def run() -> None:
        hub = _Hub(0)
        feed = hub.join("s", "ann", 0, asyncio.Event())
        hub.resumed("other")
        assert not feed.resumed.is_set()
        hub.resumed("s")
        assert feed.resumed.is_set()
        await hub.close()

    asyncio.run(run())


def _turn_ends(hub: "_Hub", then: int = 0) -> None:
    """The workflow publishes a turn's end, then `then` more acceptances."""
    hub.events.append(TurnCompleted(ts=TS, turn_id="t", status="completed"))
    for index in range(then):
        hub.events.append(MessageAccepted(ts=TS, message_id=f"next{index}"))
    hub.published.set()


def _joined_after_a_turn(then: int) -> tuple["_Hub", Feed, asyncio.Event]:
    """A stream of an acceptance, a turn's end and `then` acceptances, and a socket's
    feed of it from the start: the hub, the feed and the socket's wake."""
    hub = _Hub(1)
    _turn_ends(hub, then=then)
    wake = asyncio.Event()
    return hub, hub.join("s", "ann", 0, wake), wake


async def _idle_loop() -> None:
    """Let every ready task run a few times (the fake stream needs no I/O)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def _stays_at(feed: Feed, wake: asyncio.Event, offset: int) -> None:
    """The feed reads up to `offset` and no further (while nothing else happens)."""
    await _until_newest(feed, wake, offset)
    await _idle_loop()
    assert feed.newest == offset


def test_after_a_turn_ends_the_feed_polls_again_only_for_the_next_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A poll sent as a turn ends would stand in the way of the next message's Update."""
    monkeypatch.setattr(hub_module, "SETTLE", 3600.0)

    async def run() -> None:
        hub, feed, wake = _joined_after_a_turn(then=1)
        await _stays_at(feed, wake, 2)
        with hub.handling("other"):
            pass
        await _idle_loop()
        assert feed.newest == 2
        with hub.handling("s"):
            pass
        await _until_newest(feed, wake, 3)
        assert hub.subscribed == [("s", 0)]
        _turn_ends(hub, then=1)
        await _stays_at(feed, wake, 4)
        await hub.close()

    asyncio.run(run())


def test_the_feed_waits_past_the_settle_time_for_a_frame_under_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A `submit` slower than the settle time (under load) still goes first."""
    monkeypatch.setattr(hub_module, "SETTLE", 0.0)

    async def run() -> None:
        hub, feed, wake = _joined_after_a_turn(then=1)
        with hub.handling("s"):
            await _stays_at(feed, wake, 2)
        await _until_newest(feed, wake, 3)
        _turn_ends(hub, then=1)
        await _until_newest(feed, wake, 5)
        await hub.close()

    asyncio.run(run())


def test_a_feed_reads_turns_that_ended_before_it_joined_without_settling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reconnect from far back would otherwise wait the settle time once per turn."""
    monkeypatch.setattr(hub_module, "SETTLE", 3600.0)

    async def run() -> None:
        hub = _Hub(1)
        _turn_ends(hub, then=1)
        _turn_ends(hub, then=1)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake, latest=4)
        assert hub.join("s", "ann", 0, asyncio.Event(), latest=1) is feed
        assert feed.live_from == 4
        await _stays_at(feed, wake, 4)
        await hub.close()

    asyncio.run(run())


def test_with_no_message_the_feed_polls_again_after_the_settle_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "SETTLE", 0.0)

    async def run() -> None:
        hub, feed, wake = _joined_after_a_turn(then=1)
        await _until_newest(feed, wake, 3)
        await hub.close()

    asyncio.run(run())


def test_a_recorded_acceptance_joins_the_feed_and_the_next_poll_asks_past_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The socket's early `message.accepted` at the feed's next offset is the feed's: the
    poll that follows starts after it, so it does not come back at once with it alone."""
    monkeypatch.setattr(hub_module, "SETTLE", 3600.0)

    async def run() -> None:
        hub, feed, wake = _joined_after_a_turn(then=1)
        await _until_newest(feed, wake, 2)
        accepted = hub.frame("s", 3, hub.events[2])
        with hub.handling("s"):
            hub.accepted("s", accepted)
        assert feed.newest == 3
        assert feed.after(2) == [accepted]
        await asyncio.wait_for(_subscribed(hub, 2), 10)
        assert hub.subscribed == [("s", 0), ("s", 3)]
        await hub.close()

    asyncio.run(run())


def test_an_acceptance_past_an_unread_event_waits_for_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pushed past a gap, it would hide the event in between from every reader."""
    monkeypatch.setattr(hub_module, "SETTLE", 3600.0)

    async def run() -> None:
        hub, feed, wake = _joined_after_a_turn(then=2)
        await _until_newest(feed, wake, 2)
        with hub.handling("s"):
            hub.accepted("s", hub.frame("s", 4, hub.events[3]))
        assert feed.newest == 2
        await _until_newest(feed, wake, 4)
        assert _offsets(feed.after(2)) == [3, 4]
        assert hub.subscribed == [("s", 0)]
        await hub.close()

    asyncio.run(run())


async def _subscribed(hub: "_Hub", times: int) -> None:
    """Until the hub has subscribed `times` times (each subscription yields first)."""
    while len(hub.subscribed) < times:  # noqa: ASYNC110 - the fake hub has no event for it
        await asyncio.sleep(0)


def test_a_feed_remembers_as_many_events_as_the_hub_was_given() -> None:
    async def run() -> None:
        hub = _Hub(7)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await _until_newest(feed, wake, 7)
        assert _offsets(feed.after(2)) == [3, 4, 5, 6, 7]
        with pytest.raises(Behind):
            feed.after(1)
        await hub.close()

    asyncio.run(run())


def test_a_feed_runs_outside_the_context_of_the_socket_that_opened_it() -> None:
    async def run() -> None:
        SOCKET.set("socket-1")
        hub = _Hub(1)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await _until_newest(feed, wake, 1)
        assert hub.contexts == [None]
        await hub.close()

    asyncio.run(run())


def test_a_failed_subscription_is_logged_with_its_session_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def run() -> None:
        hub = _Hub(2, failures=1)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await _until_newest(feed, wake, 2)
        assert hub.subscribed == [("s", 0), ("s", 0)]
        await hub.close()

    with caplog.at_level(logging.ERROR, logger="api.hub"):
        asyncio.run(run())
    [record] = [r for r in caplog.records if r.name == "api.hub"]
    assert record.getMessage() == "stream subscription failed"
    assert record.__dict__["session_id"] == "s"
    assert record.exc_info is not None


def test_a_feed_whose_run_ended_follows_the_next_run_once_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The session's run ended (idle): the feed asks whether a new run is running, and
    is woken when this process resumed it, then reads on from its newest offset."""
    monkeypatch.setattr(hub_module, "ENDED_RECHECK", 3600.0)
    ended, running = WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING

    async def run() -> None:
        workflows = _Workflows(ended, running)
        hub = _Hub(2, ending=1, workflows=workflows)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await _until_newest(feed, wake, 2)
        await asyncio.wait_for(workflows.asked.wait(), 10)
        for _ in range(10):
            await asyncio.sleep(0)
        assert hub.subscribed == [("s", 0)]
        hub.publish("m2")
        hub.resumed("s")
        await _until_newest(feed, wake, 3)
        assert hub.subscribed == [("s", 0), ("s", 2)]
        assert workflows.described == [session_workflow_id("s")]
        assert workflows.statuses == []
        await hub.close()

    asyncio.run(run())


def test_a_feed_whose_run_is_running_again_reads_on_without_being_woken() -> None:
    running = WorkflowExecutionStatus.RUNNING

    async def run() -> None:
        workflows = _Workflows(running)
        hub = _Hub(2, ending=1, workflows=workflows)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await asyncio.wait_for(workflows.asked.wait(), 10)
        hub.publish("m2")
        await _until_newest(feed, wake, 3)
        assert hub.subscribed == [("s", 0), ("s", 2)]
        await hub.close()

    asyncio.run(run())


def test_a_feed_whose_run_ended_looks_again_after_the_recheck_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another API process resumed the session: nobody wakes this feed, the recheck does."""
    monkeypatch.setattr(hub_module, "ENDED_RECHECK", 0.0)
    ended, running = WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING

    async def run() -> None:
        workflows = _Workflows(ended, running)
        hub = _Hub(2, ending=1, workflows=workflows)
        wake = asyncio.Event()
        feed = hub.join("s", "ann", 0, wake)
        await _until_newest(feed, wake, 2)
        hub.publish("m2")
        await _until_newest(feed, wake, 3)
        assert hub.subscribed == [("s", 0), ("s", 2)]
        assert workflows.statuses == []
        await hub.close()

    with caplog.at_level(logging.ERROR, logger="api.hub"):
        asyncio.run(run())
    assert not [r for r in caplog.records if r.name == "api.hub"]


def test_frames_outside_the_stream_reach_the_sockets_that_take_them() -> None:
    async def run() -> None:
        hub = _Hub(0)
        got: dict[str, list[str]] = {"one": [], "two": []}
        one, two, plain = asyncio.Event(), asyncio.Event(), asyncio.Event()
        feed = hub.join("s", "ann", 0, one, got["one"].append)
        hub.join("s", "ann", 0, two, got["two"].append)
        hub.join("s", "ann", 0, plain)
        assert hub.transient("s", "d1") == 2
        assert hub.transient("other", "d0") == 0
        hub.leave(feed, one)
        assert hub.transient("s", "d2") == 1
        assert got == {"one": ["d1"], "two": ["d1", "d2"]}
        await hub.close()

    asyncio.run(run())
