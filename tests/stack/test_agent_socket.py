"""The socket's own promises: ordering, replay, idempotency, and bad input survived."""

import json
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from tests.client import Api, offsets, types


def test_first_frame_is_session_ready(api: Api) -> None:
    with api.socket() as conn:
        ready = conn.ready
    assert ready["type"] == "session.ready"
    assert ready["resumed"] is False
    assert ready["offset"] == 0
    assert ready["protocol"] == "1"
    assert len(ready["session_id"]) == 32


def test_every_event_is_numbered_and_stamped(api: Api) -> None:
    with api.socket() as conn:
        events = conn.turn("Upload a file")
    assert offsets(events) == list(range(1, len(events) + 1))
    session = events[0]["session_id"]
    for event in events:
        assert event["session_id"] == session
        assert event["ts"].endswith("Z") or event["ts"].endswith("+00:00")
        assert event["turn_id"] == events[0]["turn_id"]
    assert types(events) == [
        "message.accepted",
        "agent.analysis",
        "agent.message",
        "turn.completed",
    ]


def test_reconnect_with_after_misses_nothing_and_repeats_nothing(api: Api) -> None:
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        conn.message("Upload a file")
        conn.until(lambda e: e["type"] == "agent.analysis")
        seen = list(conn.events)
    with api.socket(session_id=session_id, after=seen[-1]["offset"]) as conn:
        assert conn.ready["resumed"] is True
        conn.until(lambda e: e["type"] == "turn.completed")
        seen += conn.events
    assert offsets(seen) == list(range(1, len(seen) + 1))
    assert seen[-1]["type"] == "turn.completed"


def test_reconnect_without_after_replays_everything(api: Api) -> None:
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        first = conn.turn("Upload a file")
    with api.socket(session_id=session_id) as conn:
        assert conn.ready["offset"] == len(first)
        conn.until(lambda e: e["offset"] == len(first))
        assert conn.events == first
        later = conn.turn("bananas")
    assert offsets(later)[0] == len(first) + 1


def test_the_same_message_id_twice_is_one_turn(api: Api) -> None:
    with api.socket() as conn:
        message_id = conn.message("Upload a file")
        conn.message("Upload a file", message_id=message_id)
        events = conn.turn("bananas")
    accepted = [e for e in conn.events if e["type"] == "message.accepted"]
    assert len(accepted) == 2
    assert accepted[0]["message_id"] == message_id
    assert accepted[1]["message_id"] != message_id
    assert len([e for e in conn.events if e["type"] == "turn.completed"]) == 2
    assert events[-1]["type"] == "turn.completed"


def test_messages_sent_back_to_back_are_answered_in_order(api: Api) -> None:
    with api.socket() as conn:
        first = conn.message("Upload a file")
        second = conn.message("bananas")
        conn.until(
            lambda e: (
                e["type"] == "turn.completed"
                and len([x for x in conn.events if x["type"] == "turn.completed"]) == 2
            )
        )
    accepted = {
        e["message_id"]: e["turn_id"] for e in conn.events if e["type"] == "message.accepted"
    }
    by_turn = [e["turn_id"] for e in conn.events if e["type"] != "message.accepted"]
    first_turn, second_turn = accepted[first], accepted[second]
    assert by_turn.index(second_turn) > max(i for i, t in enumerate(by_turn) if t == first_turn)


def test_ping_is_answered(api: Api) -> None:
    with api.socket() as conn:
        conn.send({"type": "ping"})
        assert conn.until(lambda e: e["type"] == "pong") == {"type": "pong"}


def test_the_experience_alias_speaks_the_same_contract(api: Api) -> None:
    with api.socket(path="/api/experience/agent") as conn:
        assert conn.ready["type"] == "session.ready"
        events = conn.turn("Upload a file")
    assert events[-1]["type"] == "turn.completed"


BAD_FRAMES = [
    ("{not json", "invalid_json"),
    ("[1, 2, 3]", "invalid_frame"),
    ('"just a string"', "invalid_frame"),
    (json.dumps({"text": "no type"}), "unknown_type"),
    (json.dumps({"type": "user.shout", "text": "hi"}), "unknown_type"),
    (json.dumps({"type": 7}), "unknown_type"),
    (json.dumps({"type": "user.message", "text": "no id"}), "invalid_frame"),
    (json.dumps({"type": "user.message", "message_id": "m1"}), "invalid_frame"),
    (json.dumps({"type": "user.message", "message_id": 5, "text": "x"}), "invalid_frame"),
    (json.dumps({"type": "user.message", "message_id": "m2", "text": 5}), "invalid_frame"),
    (json.dumps({"type": "user.message", "message_id": "m3", "text": "   "}), "invalid_frame"),
    (
        json.dumps({"type": "user.message", "message_id": "m4", "text": "x" * 20_000}),
        "invalid_frame",
    ),
    (
        json.dumps({"type": "user.message", "message_id": "m5", "text": "x", "file_ids": "f"}),
        "invalid_frame",
    ),
    (
        json.dumps(
            {"type": "user.message", "message_id": "m6", "text": "x", "file_ids": ["0" * 32]}
        ),
        "unknown_file",
    ),
    (json.dumps({"type": "execution.retry"}), "invalid_frame"),
    (json.dumps({"type": "execution.cancel", "execution_id": "nope"}), "unknown_execution"),
    (
        json.dumps({"type": "user.message", "message_id": "m7", "text": "y" * 70_000}),
        "frame_too_large",
    ),
]


@pytest.mark.parametrize(
    ("raw", "code"), BAD_FRAMES, ids=[c + str(i) for i, (_, c) in enumerate(BAD_FRAMES)]
)
def test_bad_frames_get_an_error_and_the_socket_survives(api: Api, raw: str, code: str) -> None:
    with api.socket() as conn:
        conn.send(raw)
        error = conn.error()
        assert error["code"] == code
        assert error["message"]
        assert "offset" not in error
        events = conn.turn("Upload a file")
    assert events[-1]["type"] == "turn.completed"
    assert [e["type"] for e in conn.events].count("message.accepted") == 1


def test_a_binary_frame_gets_an_error_and_the_socket_survives(api: Api) -> None:
    with api.socket() as conn:
        conn.ws.send(b"\x00\x01binary")
        assert conn.error()["code"] == "invalid_frame"
        conn.send({"type": "ping"})
        conn.until(lambda e: e["type"] == "pong")


def test_a_malformed_session_id_is_refused(api: Api) -> None:
    with pytest.raises(ConnectionClosed) as closed, api.socket(session_id="../../etc") as conn:
        conn.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


def test_an_unknown_but_wellformed_session_id_starts_that_session(api: Api) -> None:
    session_id = uuid.uuid4().hex
    with api.socket(session_id=session_id) as conn:
        assert conn.ready["session_id"] == session_id
        assert conn.ready["resumed"] is False
        events = conn.turn("Upload a file")
    assert events[0]["session_id"] == session_id


def test_a_negative_after_replays_everything_with_a_warning(api: Api) -> None:
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        first = conn.turn("Upload a file")
    with api.socket(session_id=session_id, after=-3) as conn:
        assert conn.error()["code"] == "invalid_frame"
        conn.until(lambda e: e.get("offset") == len(first))
    assert conn.events == first


def test_after_beyond_the_stream_means_live_only(api: Api) -> None:
    with api.socket() as conn:
        session_id = conn.ready["session_id"]
        first = conn.turn("Upload a file")
    with api.socket(session_id=session_id, after=10_000) as conn:
        later = conn.turn("bananas")
    assert conn.events == later
    assert offsets(later) == list(range(len(first) + 1, len(first) + 1 + len(later)))
