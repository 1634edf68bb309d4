"""Unit tests of the session's held stream: offsets, holding, release order, the trim.

`HeldStream` runs against `_Log`, a stand-in for `WorkflowStream`'s log (a real one
needs a workflow around it; the stack tests read the real stream). The stand-in keeps
global offsets from a base and truncates as the real one does; each event's wire size
is the length of its `message_id`, so a test sets the bytes the trim weighs.
"""

import asyncio
from datetime import UTC, datetime

import pytest
from temporalio.contrib.workflow_streams import WorkflowStreamState
from temporalio.contrib.workflow_streams._types import _WorkflowStreamWireItem

from models.conversation import ConversationState
from models.events import EVENTS_TOPIC, MessageAccepted, StreamEvent
from workflows.conversation.stream import RETAINED_BYTES, RETAINED_EVENTS, HeldStream

TS = datetime(2026, 12, 5, tzinfo=UTC)


class _Log:
    """The events of one topic from global offset `base` on, as `WorkflowStream` keeps them."""

    def __init__(self, base: int = 0, events: list[MessageAccepted] | None = None) -> None:
        self.base = base
        self.events: list[MessageAccepted] = list(events or [])
        self.topics: list[str] = []

    def topic(self, name: str) -> "_Log":
        self.topics.append(name)
        return self

    def publish(self, value: StreamEvent) -> None:
        assert isinstance(value, MessageAccepted)
        self.events.append(value)

    def truncate(self, up_to_offset: int) -> None:
        index = up_to_offset - self.base
        if index <= 0:
            return
        if index > len(self.events):
            raise ValueError(f"truncate to {up_to_offset} past the end of the log")
        del self.events[:index]
        self.base = up_to_offset

    def get_state(self) -> WorkflowStreamState:
        return WorkflowStreamState(
            log=[_WorkflowStreamWireItem(EVENTS_TOPIC, e.message_id) for e in self.events],
            base_offset=self.base,
        )

    def ids(self) -> list[str]:
        return [e.message_id for e in self.events]


def _event(message_id: str) -> MessageAccepted:
    return MessageAccepted(ts=TS, turn_id="t", message_id=message_id)


def _stream(log: _Log | None = None) -> tuple[HeldStream, _Log, ConversationState]:
    log = log or _Log()
    state = ConversationState(session_id="s", user_id="ann", published=log.base + len(log.events))
    return HeldStream(log, state), log, state


def _published(count: int, size: int = 1) -> _Log:
    """A log of `count` events of `size` bytes each, ids distinct in their first digits."""
    return _Log(events=[_event(f"{n:06d}".ljust(size, "x")) for n in range(count)])


def test_a_stream_not_held_publishes_at_once_on_the_events_topic() -> None:
    stream, log, state = _stream()
    assert log.topics == [EVENTS_TOPIC]
    assert stream.next_offset() == 1
    stream.publish(_event("a"))
    stream.publish(_event("b"))
    assert log.ids() == ["a", "b"]
    assert state.published == 2
    assert stream.next_offset() == 3


def test_held_events_stay_back_but_take_their_offsets() -> None:
    stream, log, state = _stream()
    stream.publish(_event("a"))
    stream.hold()
    assert stream.next_offset() == 2
    stream.publish(_event("b"))
    stream.publish(_event("c"))
    assert log.ids() == ["a"]
    assert state.published == 1
    assert stream.next_offset() == 4


def test_release_publishes_the_held_events_in_order_and_stops_holding() -> None:
    stream, log, state = _stream()
    stream.hold()
    for message_id in ("a", "b", "c"):
        stream.publish(_event(message_id))
    stream.release()
    assert log.ids() == ["a", "b", "c"]
    assert state.published == 3
    assert stream.next_offset() == 4
    stream.publish(_event("d"))
    assert log.ids() == ["a", "b", "c", "d"]
    assert state.published == 4


def test_holding_again_keeps_what_is_held() -> None:
    stream, log, _ = _stream()
    stream.hold()
    stream.publish(_event("a"))
    stream.hold()
    assert stream.next_offset() == 2
    stream.publish(_event("b"))
    stream.release()
    assert log.ids() == ["a", "b"]


def test_release_when_nothing_is_held_publishes_nothing_and_nothing_twice() -> None:
    stream, log, state = _stream()
    stream.release()
    assert log.ids() == []
    stream.hold()
    stream.publish(_event("a"))
    stream.release()
    stream.release()
    assert log.ids() == ["a"]
    assert state.published == 1


def test_offsets_go_on_from_the_carried_stream() -> None:
    stream, log, state = _stream(_Log(base=40, events=[_event("old")]))
    assert stream.next_offset() == 42
    stream.hold()
    stream.publish(_event("a"))
    assert stream.next_offset() == 43
    stream.release()
    assert state.published == 42
    assert log.ids() == ["old", "a"]


def test_outside_publishes_the_held_events_before_waiting_and_holds_again() -> None:
    stream, log, state = _stream()
    stream.hold()
    stream.publish(_event("a"))
    seen: list[list[str]] = []

    async def waiting() -> str:
        seen.append(log.ids())
        return "done"

    assert asyncio.run(stream.outside(waiting())) == "done"
    assert seen == [["a"]]
    stream.publish(_event("b"))
    assert log.ids() == ["a"]
    assert stream.next_offset() == 3
    stream.release()
    assert log.ids() == ["a", "b"]
    assert state.published == 2


def test_outside_holds_again_when_the_wait_fails() -> None:
    stream, log, _ = _stream()
    stream.hold()
    stream.publish(_event("a"))

    async def failing() -> None:
        raise LookupError("child failed")

    with pytest.raises(LookupError, match="child failed"):
        asyncio.run(stream.outside(failing()))
    assert log.ids() == ["a"]
    stream.publish(_event("b"))
    assert log.ids() == ["a"]


def test_trim_keeps_a_short_stream_whole() -> None:
    stream, log, _ = _stream(_published(3))
    stream.trim()
    assert len(log.events) == 3
    assert log.base == 0


def test_trim_keeps_exactly_the_newest_retained_events() -> None:
    stream, log, _ = _stream(_published(RETAINED_EVENTS))
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS
    assert log.base == 0

    stream, log, state = _stream(_published(RETAINED_EVENTS + 1))
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS
    assert log.base == 1
    assert log.ids()[0] == "000001"
    assert state.published == RETAINED_EVENTS + 1


def test_trim_counts_from_the_global_offset_of_a_carried_stream() -> None:
    log = _published(RETAINED_EVENTS + 5)
    log.base = 100
    stream, log, state = _stream(log)
    stream.trim()
    assert log.base == 105
    assert len(log.events) == RETAINED_EVENTS
    assert state.published == 100 + RETAINED_EVENTS + 5


def test_trim_keeps_every_retained_event_that_fits_the_bytes_exactly() -> None:
    size = RETAINED_BYTES // RETAINED_EVENTS
    assert size * RETAINED_EVENTS == RETAINED_BYTES
    stream, log, _ = _stream(_published(RETAINED_EVENTS, size))
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS


def test_trim_weighs_only_the_events_it_keeps() -> None:
    size = RETAINED_BYTES // RETAINED_EVENTS
    log = _Log(events=[_event("x" * RETAINED_BYTES), *_published(RETAINED_EVENTS, size).events])
    stream, log, _ = _stream(log)
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS
    assert log.base == 1


def test_trim_halves_what_it_keeps_until_it_fits_the_bytes() -> None:
    one_byte_over = RETAINED_BYTES // RETAINED_EVENTS + 1
    stream, log, _ = _stream(_published(RETAINED_EVENTS, one_byte_over))
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS // 2
    assert log.ids()[0].startswith(f"{RETAINED_EVENTS // 2:06d}")

    four_times_over = 4 * RETAINED_BYTES // RETAINED_EVENTS + 1
    stream, log, _ = _stream(_published(RETAINED_EVENTS + 7, four_times_over))
    stream.trim()
    assert len(log.events) == RETAINED_EVENTS // 8
    assert log.base == RETAINED_EVENTS + 7 - RETAINED_EVENTS // 8


def test_trim_keeps_nothing_when_the_newest_event_alone_is_too_big() -> None:
    log = _published(5)
    log.events.append(_event("x" * (RETAINED_BYTES + 1)))
    stream, log, state = _stream(log)
    stream.trim()
    assert log.events == []
    assert log.base == 6
    assert state.published == 6
    assert stream.next_offset() == 7


def test_trim_keeps_the_newest_event_that_fits_alone() -> None:
    log = _published(5, RETAINED_BYTES)
    stream, log, _ = _stream(log)
    stream.trim()
    assert len(log.events) == 1
    assert log.ids()[0].startswith("000004")
    assert log.base == 4
