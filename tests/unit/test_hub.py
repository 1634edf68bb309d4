"""Unit tests of the feed a socket reads by cursor, and of the control-frame outbox."""

import asyncio
from collections import deque

import pytest

from api.hub import Behind, Feed, Frame
from api.outbox import Close, Outbox


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
