"""Operable in production: metrics, traces and logs around real turns, on a plain server.

The stack here starts a plain `temporal server start-dev` (no `--search-attribute`): the
worker and the API register the project's search attributes themselves, and every turn
below works only because they did. Both export traces to an in-process OTLP collector;
the worker serves Prometheus metrics on a port of its own.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy
import pytest

import launcher
from tests.client import Api
from tests.otlp_collector import Collector, Span, collecting

REAL_CSV = Path(numpy.__file__).parent / "random" / "tests" / "data" / "mt19937-testset-1.csv"
"""A CSV nobody here made: numpy's reference outputs of the Mersenne Twister."""


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    with collecting() as running:
        yield running


@pytest.fixture(scope="module")
def plain(
    tmp_path_factory: pytest.TempPathFactory, collector: Collector
) -> Iterator[launcher.Stack]:
    root = tmp_path_factory.mktemp("plain")
    (root / "logs").mkdir()
    env = {
        "SYMPHAINY_WORKER_METRICS_PORT": str(launcher.free_port()),
        "SYMPHAINY_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    with launcher.running(
        root / "data", log_dir=root / "logs", env=env, search_attributes=False
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def ops_api(plain: launcher.Stack) -> Api:
    return Api(plain.api_url())


@pytest.fixture(scope="module")
def ingest(ops_api: Api) -> dict[str, object]:
    """Two turns of one session that each run an execution: ingest a real CSV, profile it."""
    ref = ops_api.upload(REAL_CSV.name, REAL_CSV.read_bytes())
    with ops_api.socket() as conn:
        events = conn.turn("Upload a file", [ref["file_id"]])
        events += conn.turn("What insights can I get from my data?")
        session_id = conn.ready["session_id"]
    executions = [e["execution_id"] for e in events if e["type"] == "execution.completed"]
    assert len(executions) == 2, [e["type"] for e in events]
    return {"session_id": session_id, "execution_id": executions[0], "executions": executions}


def _scrape(url: str) -> dict[str, float]:
    """Prometheus text format as {sample with labels: value}."""
    samples: dict[str, float] = {}
    for line in httpx.get(url, timeout=10).text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def _sum(samples: dict[str, float], name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(
        value
        for key, value in samples.items()
        if (key == name or key.startswith(name + "{")) and all(w in key for w in wanted)
    )


def _moved(before: dict[str, float], after: dict[str, float], name: str, **labels: str) -> float:
    return _sum(after, name, **labels) - _sum(before, name, **labels)


def test_api_metrics_move_around_a_turn(ops_api: Api) -> None:
    url = f"{ops_api.base}/metrics"
    before = _scrape(url)
    with ops_api.socket() as conn:
        conn.turn("hello there")
        conn.send("not json")
        conn.error()
        open_now = _scrape(url)
    after = _scrape(url)

    def moved(name: str, **labels: str) -> float:
        return _moved(before, after, name, **labels)

    assert _sum(open_now, "symphainy_sockets_open") >= 1
    assert moved("symphainy_frames_received_total", type="user.message") == 1
    assert moved("symphainy_frames_sent_total", type="message.accepted") == 1
    assert moved("symphainy_frames_sent_total", type="turn.completed") == 1
    assert moved("symphainy_frames_sent_total", type="session.ready") == 1
    assert moved("symphainy_frame_errors_total", code="invalid_json") == 1
    assert moved("symphainy_message_accepted_seconds_count") == 1
    assert moved("symphainy_turn_completed_seconds_count", status="needs_input") == 1
    assert moved("symphainy_turn_completed_seconds_sum") > 0
    assert moved("symphainy_http_requests_total", route="/metrics", status="200") >= 1


def test_upload_and_rest_status_codes_are_counted(ops_api: Api) -> None:
    url = f"{ops_api.base}/metrics"
    before = _scrape(url)
    ops_api.upload(REAL_CSV.name, REAL_CSV.read_bytes())
    assert ops_api.http.get("/api/executions/nope").status_code == 404
    after = _scrape(url)
    assert _moved(before, after, "symphainy_uploads_total", status="200") == 1
    size = REAL_CSV.stat().st_size
    assert _moved(before, after, "symphainy_upload_bytes_total") >= size
    route = "/api/executions/{execution_id}"
    assert _sum(after, "symphainy_http_requests_total", route=route, status="404") >= 1


def test_rate_limit_refusals_are_counted(ops_api: Api) -> None:
    url = f"{ops_api.base}/metrics"
    before = _sum(_scrape(url), "symphainy_rate_limited_total")
    with ops_api.socket() as conn:
        for _ in range(40):
            conn.send({"type": "ping"})
        conn.error()
    assert _sum(_scrape(url), "symphainy_rate_limited_total") > before


def test_worker_metrics_cover_the_sdk_realms_and_agents(
    plain: launcher.Stack, ingest: dict[str, object]
) -> None:
    port = plain.env()["SYMPHAINY_WORKER_METRICS_PORT"]
    samples = _scrape(f"http://127.0.0.1:{port}/metrics")
    realm = "symphainy_realm_execution_seconds_count"
    assert _sum(samples, realm, intent="ingest_file", outcome="completed") >= 1
    assert _sum(samples, "symphainy_agent_seconds_count", activity_type="guide.analyze") >= 1
    assert (
        _sum(samples, "temporal_workflow_completed_total")
        + _sum(samples, "temporal_workflow_task_execution_latency_count")
        > 0
    )


FRAME_SPAN = "socket user.message"
AGENTS = frozenset(("StartActivity:guide.analyze", "RunActivity:guide.analyze"))
TURN_SPANS = {
    "StartChildWorkflow:IntentExecution",
    "RunWorkflow:IntentExecution",
    "StartActivity:runtime.execute",
    "RunActivity:runtime.execute",
}


def _descends(span: Span, root: Span, by_id: dict[str, Span]) -> bool:
    while span.parent_id:
        if span.parent_id == root.span_id:
            return True
        parent = by_id.get(span.parent_id)
        if parent is None:
            return False
        span = parent
    return False


def test_each_turn_is_one_trace_from_its_frame_to_the_realm(
    ops_api: Api, collector: Collector, ingest: dict[str, object]
) -> None:
    executions = ingest["executions"]
    assert isinstance(executions, list)
    traces = [_turn_trace(collector, str(execution_id)) for execution_id in executions]
    assert len(set(traces)) == 2, "the session's second turn has a trace of its own"
    for execution_id, trace_id in zip(executions, traces, strict=True):
        assert ops_api.execution(execution_id)["trace_id"] == trace_id


def test_a_rest_intent_in_a_session_is_traced_from_its_request(
    ops_api: Api, collector: Collector, ingest: dict[str, object]
) -> None:
    sop = "1. The clerk checks the order.\n2. The manager approves it."
    execution_id = ops_api.start(
        "create_workflow_from_sop", {"text": sop}, str(ingest["session_id"])
    )
    assert _finished(ops_api, execution_id)["status"] == "completed"
    trace_id = _turn_trace(
        collector, execution_id, root="POST /api/runtime/intents", also=frozenset()
    )
    assert ops_api.execution(execution_id)["trace_id"] == trace_id


def _finished(api: Api, execution_id: str, timeout: float = 30) -> dict[str, object]:
    """The execution once it is over; a session starts it with its turn, so it may be
    unknown (404) for a moment after the request returned."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.http.get(f"/api/executions/{execution_id}")
        if response.status_code == 200 and response.json()["status"] in ("completed", "failed"):
            body: dict[str, object] = response.json()
            return body
        assert time.monotonic() < deadline, response.text
        time.sleep(0.05)


def _turn_trace(
    collector: Collector, execution_id: str, root: str = FRAME_SPAN, also: frozenset[str] = AGENTS
) -> str:
    """The trace that ran `execution_id`, checked: one frame span at its root, every
    other span below it, both processes in it, no stream polls."""
    workflow_id = f"exec-{execution_id}"

    def realm_span(spans: list[Span]) -> Span | None:
        return next(
            (
                s
                for s in spans
                if s.name == "RunActivity:runtime.execute"
                and s.attributes.get("temporalWorkflowID") == workflow_id
            ),
            None,
        )

    def complete(spans: list[Span]) -> bool:
        realm = realm_span(spans)
        names = {s.name for s in spans if realm and s.trace_id == realm.trace_id}
        return names >= TURN_SPANS | also | {root}

    spans = collector.wait(complete)
    realm = realm_span(spans)
    assert realm is not None and complete(spans), sorted({s.name for s in spans})
    in_trace = [s for s in spans if s.trace_id == realm.trace_id]
    by_id = {s.span_id: s for s in in_trace}
    roots = [s for s in in_trace if not s.parent_id]
    assert [(r.name, r.service) for r in roots] == [(root, "symphainy-api")]
    for span in in_trace:
        if span is not roots[0]:
            assert _descends(span, roots[0], by_id), f"{span.name} is not under the frame"
    assert not [s for s in in_trace if "stream_poll" in s.name], "stream polls bury the turn"
    assert {s.service for s in in_trace} == {"symphainy-api", "symphainy-worker"}
    return realm.trace_id


def test_logs_carry_the_ids(plain: launcher.Stack, ingest: dict[str, object]) -> None:
    assert plain.log_dir is not None
    execution_id = str(ingest["execution_id"])
    session_id = str(ingest["session_id"])
    worker = (plain.log_dir / "worker0.log").read_text()
    line = next((ln for ln in worker.splitlines() if f"execution_id={execution_id}" in ln), None)
    assert line is not None, worker[-2000:]
    assert re.search(r"trace_id=[0-9a-f]{32}", line)
    api = (plain.log_dir / "api0.log").read_text()
    assert f"session_id={session_id}" in api, api[-2000:]


def test_readyz_names_what_is_ready(ops_api: Api) -> None:
    body = httpx.get(f"{ops_api.base}/readyz", timeout=10).json()
    assert body["status"] == "ready"
    assert body["workers"] >= 1


def test_search_attributes_were_registered_by_the_processes(plain: launcher.Stack) -> None:
    assert plain.log_dir is not None
    logs = (plain.log_dir / "worker0.log").read_text() + (plain.log_dir / "api0.log").read_text()
    assert "registered search attributes" in logs
