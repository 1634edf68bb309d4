"""Unit tests of frame parsing: every bad frame maps to the contract's code."""

import json

import pytest

from api.frames import FrameError, PingFrame, UserMessageFrame, parse_frame


def _code(raw: str) -> str:
    with pytest.raises(FrameError) as err:
        parse_frame(raw, max_text_length=100)
    return err.value.code


def test_a_valid_message_parses() -> None:
    frame = parse_frame(
        json.dumps({"type": "user.message", "message_id": "m-1", "text": "hi", "extra": 1}),
        max_text_length=100,
    )
    assert isinstance(frame, UserMessageFrame)
    assert frame.file_ids == []


def test_ping_parses() -> None:
    assert isinstance(parse_frame('{"type": "ping"}', max_text_length=1), PingFrame)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "invalid_json"),
        ("[" * 100_000, "invalid_json"),
        ("null", "invalid_frame"),
        ('{"type": "nope"}', "unknown_type"),
        ('{"type": ["ping"]}', "unknown_type"),
        ('{"type": "user.message", "message_id": "", "text": "x"}', "invalid_frame"),
        ('{"type": "user.message", "message_id": "a b", "text": "x"}', "invalid_frame"),
        (
            '{"type": "user.message", "message_id": "m", "text": "' + "x" * 101 + '"}',
            "invalid_frame",
        ),
        ('{"type": "user.message", "message_id": "m", "text": "\\ud800"}', "invalid_frame"),
        ('{"type": "intent.reject", "turn_id": 3}', "invalid_frame"),
    ],
)
def test_bad_frames_map_to_codes(raw: str, code: str) -> None:
    assert _code(raw) == code


def test_an_error_frame_names_the_message() -> None:
    with pytest.raises(FrameError) as err:
        parse_frame('{"type": "user.message", "message_id": "m9", "text": " "}', max_text_length=9)
    assert json.loads(err.value.frame()) == {
        "type": "error",
        "code": "invalid_frame",
        "message": "text must not be blank",
        "ref": "m9",
    }
