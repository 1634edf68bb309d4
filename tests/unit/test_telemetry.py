"""Logs with ids (text and JSON), token redaction, and the socket's turn clocks."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from settings import Settings
from telemetry import logs
from telemetry.metrics import PENDING_LIMIT, ApiMetrics, frame_type


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the root handler writes, whichever format the test configures."""
    stream = io.StringIO()
    bound = logs._BOUND.set(None)
    yield stream
    logs._BOUND.reset(bound)
    logging.getLogger().handlers.clear()


def _configure(stream: io.StringIO, **settings: str) -> None:
    logs.configure_logging(Settings(**settings))  # type: ignore[arg-type]
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)


def test_text_lines_end_with_the_ids_that_apply(captured: io.StringIO) -> None:
    _configure(captured)
    logs.bind_ids(user_id="alice", session_id="s1")
    logging.getLogger("x").warning("hello", extra={"turn_id": "t1"})
    line = captured.getvalue().strip()
    assert line.endswith("hello user_id=alice session_id=s1 turn_id=t1")
    assert "execution_id" not in line


def test_temporal_extras_become_session_and_execution_ids(captured: io.StringIO) -> None:
    _configure(captured)
    log = logging.getLogger("temporalio.activity")
    log.info("realm step", extra={"temporal_activity": {"workflow_id": "exec-e9"}})
    log.info("turn", extra={"temporal_workflow": {"workflow_id": "session-s9"}})
    first, second = captured.getvalue().strip().splitlines()
    assert first.endswith("execution_id=e9")
    assert second.endswith("session_id=s9")


def test_json_lines_carry_the_ids_as_fields(captured: io.StringIO) -> None:
    _configure(captured, log_format="json")
    logging.getLogger("api").error("failed", extra={"session_id": "s2", "execution_id": "e2"})
    body = json.loads(captured.getvalue())
    assert body["message"] == "failed"
    assert body["level"] == "ERROR"
    assert body["logger"] == "api"
    assert (body["session_id"], body["execution_id"]) == ("s2", "e2")


def test_no_token_reaches_a_line(captured: io.StringIO) -> None:
    _configure(captured)
    logging.getLogger("uvicorn.access").warning(
        '%s - "%s %s"', "1.2.3.4", "GET", "/api/runtime/agent?access_token=eyJhbGciOi.x.y&a=1"
    )
    logging.getLogger("x").warning("url ws://h/?token=s3cr3t")
    out = captured.getvalue()
    assert "eyJhbGciOi" not in out and "s3cr3t" not in out
    assert out.count("<redacted>") == 2


def test_http_client_lines_stay_out(captured: io.StringIO) -> None:
    _configure(captured)
    logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1/readyz")
    assert captured.getvalue() == ""


def _sample(metrics: ApiMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_a_turn_is_timed_from_its_message_to_its_events() -> None:
    metrics = ApiMetrics()
    meter = metrics.socket()
    meter.received("user.message", "m1")
    meter.sent(json.dumps({"type": "message.accepted", "message_id": "m1", "turn_id": "t1"}))
    meter.sent(json.dumps({"type": "agent.message", "turn_id": "t1"}))
    meter.sent(json.dumps({"type": "turn.completed", "turn_id": "t1", "status": "completed"}))
    assert _sample(metrics, "symphainy_message_accepted_seconds_count") == 1
    assert _sample(metrics, "symphainy_turn_completed_seconds_count", status="completed") == 1
    assert _sample(metrics, "symphainy_frames_sent_total", type="agent.message") == 1


def test_replayed_events_of_other_turns_start_no_clock() -> None:
    metrics = ApiMetrics()
    meter = metrics.socket()
    meter.sent(json.dumps({"type": "message.accepted", "message_id": "old", "turn_id": "t0"}))
    meter.sent(json.dumps({"type": "turn.completed", "turn_id": "t0", "status": "completed"}))
    assert _sample(metrics, "symphainy_message_accepted_seconds_count") == 0
    assert _sample(metrics, "symphainy_turn_completed_seconds_count", status="completed") == 0


def test_a_socket_times_at_most_the_pending_limit() -> None:
    meter = ApiMetrics().socket()
    for index in range(PENDING_LIMIT + 1):
        meter.received("user.message", f"m{index}")
    assert len(meter._messages) == PENDING_LIMIT
    assert "m0" not in meter._messages


def test_rate_limit_refusals_count_as_errors_and_refusals() -> None:
    metrics = ApiMetrics()
    metrics.socket().refused("rate_limited")
    assert _sample(metrics, "symphainy_frame_errors_total", code="rate_limited") == 1
    assert _sample(metrics, "symphainy_rate_limited_total") == 1


def test_frame_type_reads_our_frames_without_parsing() -> None:
    assert frame_type('{"type": "turn.completed", "offset": 3}') == "turn.completed"
    assert frame_type('{"offset": 3}') == "unknown"
