"""The one wire form of a stream event (both sockets), the server-id check and the
execution search attributes (the session's child and the REST start alike)."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from api.wire import event_frame
from models.events import ExecutionStarted, IntentCreated
from models.intents import Intent, Realm
from models.search import (
    INTENT,
    REALM,
    SESSION_ID,
    USER_ID,
    execution_search_attributes,
    is_server_id,
)

TS = datetime(2026, 12, 5, tzinfo=UTC)


def _link(execution_id: str) -> str:
    return f"ui/{execution_id}"


def test_an_event_of_no_turn_has_no_turn_id_and_offset_and_session_lead() -> None:
    event = ExecutionStarted(ts=TS, execution_id="e", attempt=1)
    frame = json.loads(event_frame(event, 7, None))
    assert list(frame)[:3] == ["type", "offset", "session_id"]
    assert frame == {
        "type": "execution.started",
        "offset": 7,
        "session_id": None,
        "ts": "2026-12-05T00:00:00Z",
        "execution_id": "e",
        "attempt": 1,
    }


def test_only_intent_created_gets_the_link_and_only_when_one_is_given() -> None:
    created = IntentCreated(ts=TS, turn_id="t", execution_id="e", intent=Intent(name="x"))
    assert json.loads(event_frame(created, 1, "s", _link))["temporal_ui_url"] == "ui/e"
    assert "temporal_ui_url" not in json.loads(event_frame(created, 1, "s"))
    started = ExecutionStarted(ts=TS, turn_id="t", execution_id="e", attempt=1)
    frame = json.loads(event_frame(started, 2, "s", _link))
    assert "temporal_ui_url" not in frame
    assert frame["turn_id"] == "t"


@pytest.mark.parametrize(
    ("value", "minted"),
    [
        (uuid.uuid4().hex, True),
        ("0" * 32, True),
        ("f" * 32, True),
        ("0" * 31, False),
        ("0" * 33, False),
        ("0" * 31 + "\n", False),
        ("0" * 32 + "\n", False),
        ("A" * 32, False),
        ("g" * 32, False),
        ("", False),
    ],
)
def test_a_server_id_is_32_lowercase_hex_digits(value: str, minted: bool) -> None:
    assert is_server_id(value) is minted


def test_an_execution_is_found_by_realm_unknown_when_its_intent_names_none() -> None:
    attributes = execution_search_attributes(Intent(name="x"), "u", "s")
    assert attributes.get(REALM) == "unknown"
    assert (attributes.get(SESSION_ID), attributes.get(USER_ID), attributes.get(INTENT)) == (
        "s",
        "u",
        "x",
    )


def test_a_rest_execution_has_no_session_attribute() -> None:
    attributes = execution_search_attributes(Intent(name="x", realm=Realm.INSIGHTS), "u")
    assert attributes.get(SESSION_ID) is None
    assert attributes.get(REALM) == "insights"
