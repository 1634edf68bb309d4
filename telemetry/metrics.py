"""Prometheus metrics: the API's (prometheus-client, `/metrics`) and the worker's.

The API keeps its metrics in a registry of its own app (no process globals), so two
apps in one process never mix their counts. The worker's go through the Temporal
SDK's metric meter: the SDK's Prometheus exporter then serves its own runtime metrics
and ours on one port (`SYMPHAINY_WORKER_METRICS_PORT`).
"""

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from settings import Settings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Seconds: a turn's first event arrives in ~10-50 ms here, an LLM turn in seconds."""
REALM_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0)
"""Seconds: realm steps run from milliseconds to the 10-minute start-to-close bound."""
PENDING_LIMIT = 1_000
"""Messages a socket times at once; past it the oldest are forgotten (a stuck turn
cannot grow a socket's memory)."""

REALM_SECONDS = "symphainy_realm_execution_seconds"
AGENT_SECONDS = "symphainy_agent_seconds"
AGENT_ACTIVITIES = frozenset(
    ("guide.analyze", "liaison.recommend", "collaboration.merge", "agent.summarize")
)
REALM_ACTIVITY = "runtime.execute"


class ApiMetrics:
    """Everything the API counts, in one registry served on `/metrics`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.sockets = Gauge("symphainy_sockets_open", "Open WebSockets", registry=r)
        self.frames_in = Counter(
            "symphainy_frames_received", "Client frames by type", ["type"], registry=r
        )
        self.frames_out = Counter(
            "symphainy_frames_sent", "Frames sent to clients by type", ["type"], registry=r
        )
        self.errors = Counter(
            "symphainy_frame_errors", "Error frames sent, by code", ["code"], registry=r
        )
        self.rate_limited = Counter("symphainy_rate_limited", "Frames refused for rate", registry=r)
        self.accepted = Histogram(
            "symphainy_message_accepted_seconds",
            "From a user.message frame to its message.accepted on the same socket",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.completed = Histogram(
            "symphainy_turn_completed_seconds",
            "From a user.message frame to its turn.completed on the same socket",
            ["status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.uploads = Counter(
            "symphainy_uploads", "File uploads by HTTP status", ["status"], registry=r
        )
        self.upload_bytes = Counter(
            "symphainy_upload_bytes", "Bytes of accepted uploads", registry=r
        )
        self.requests = Counter(
            "symphainy_http_requests",
            "REST requests by route, method and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "symphainy_http_request_seconds",
            "REST request duration",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    def socket(self) -> "SocketMeter":
        """The meter one socket reports to."""
        return SocketMeter(self)


class SocketMeter:
    """One socket's frames, errors and turn latencies.

    A `user.message` starts a clock keyed on its `message_id`; the socket's
    `message.accepted` for that id stops the first histogram and names the turn, whose
    `turn.completed` stops the second. Replayed events of earlier turns match no clock.
    """

    def __init__(self, metrics: ApiMetrics) -> None:
        self._metrics = metrics
        self._messages: dict[str, float] = {}
        self._turns: dict[str, float] = {}

    def opened(self) -> None:
        self._metrics.sockets.inc()

    def closed(self) -> None:
        self._metrics.sockets.dec()

    def received(self, kind: str, message_id: str | None = None) -> None:
        """A client frame that parsed (`kind` is its type)."""
        self._metrics.frames_in.labels(kind).inc()
        if message_id is not None:
            _bounded_put(self._messages, message_id, time.monotonic())

    def refused(self, code: str) -> None:
        """An `error` frame answers a client frame."""
        self._metrics.errors.labels(code).inc()
        if code == "rate_limited":
            self._metrics.rate_limited.inc()

    def sent(self, text: str) -> None:
        """A frame went out; turn boundaries stop their clocks."""
        kind = frame_type(text)
        self._metrics.frames_out.labels(kind).inc()
        if kind == "message.accepted" and self._messages:
            body = json.loads(text)
            started = self._messages.pop(str(body.get("message_id")), None)
            if started is not None:
                self._metrics.accepted.observe(time.monotonic() - started)
                _bounded_put(self._turns, str(body.get("turn_id")), started)
        elif kind == "turn.completed" and self._turns:
            body = json.loads(text)
            started = self._turns.pop(str(body.get("turn_id")), None)
            if started is not None:
                status = str(body.get("status"))
                self._metrics.completed.labels(status).observe(time.monotonic() - started)


def frame_type(text: str) -> str:
    """The `type` of a frame we wrote (`json.dumps` puts it first), without parsing it all."""
    prefix = '{"type": "'
    if text.startswith(prefix):
        end = text.find('"', len(prefix))
        if end > 0:
            return text[len(prefix) : end]
    return "unknown"


def _bounded_put(clocks: dict[str, float], key: str, value: float) -> None:
    clocks[key] = value
    if len(clocks) > PENDING_LIMIT:
        del clocks[next(iter(clocks))]


class RequestMetrics:
    """ASGI middleware: REST status codes by route template, and uploads.

    Plain ASGI rather than `BaseHTTPMiddleware`, so WebSockets and streamed bodies pass
    through untouched; WebSockets are counted by the socket itself.
    """

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, counting_receive, recording_send)
        finally:
            self._record(scope, status, received, time.monotonic() - started)

    def _record(self, scope: Scope, status: int, received: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        self._metrics.requests.labels(route, method, str(status)).inc()
        self._metrics.request_seconds.labels(route, method).observe(seconds)
        if route == "/api/files" and method == "POST":
            self._metrics.uploads.labels(str(status)).inc()
            if status < 300:
                self._metrics.upload_bytes.inc(received)


def worker_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime exporting Prometheus metrics, or None (the default runtime)."""
    if not settings.worker_metrics_port:
        return None
    prometheus = PrometheusConfig(
        bind_address=f"{settings.worker_metrics_host}:{settings.worker_metrics_port}",
        counters_total_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides={
            REALM_SECONDS: list(REALM_BUCKETS),
            AGENT_SECONDS: list(LATENCY_BUCKETS),
        },
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


class ActivityMetrics(Interceptor):
    """Times the realm step (by intent and outcome) and each agent (by activity); each
    realm step also leaves one log line (with its execution id)."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _TimedActivity(next)


class _TimedActivity(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        kind = activity.info().activity_type
        if kind != REALM_ACTIVITY and kind not in AGENT_ACTIVITIES:
            return await super().execute_activity(input)
        started = time.monotonic()
        outcome = "completed"
        try:
            return await super().execute_activity(input)
        except BaseException as err:
            outcome = _outcome(err)
            raise
        finally:
            _record(kind, input.args, outcome, time.monotonic() - started)


def _outcome(err: BaseException) -> str:
    """`cancelled`, or the error type a user would see (`io_error`, `realm_fault`...)."""
    if isinstance(err, CancelledError | asyncio.CancelledError):
        return "cancelled"
    if isinstance(err, ApplicationError) and err.type:
        return err.type
    return "error"


def _record(kind: str, args: Any, outcome: str, seconds: float) -> None:
    meter = activity.metric_meter()
    attributes: Mapping[str, str]
    if kind == REALM_ACTIVITY:
        intent = getattr(getattr(args[0], "intent", None), "name", "unknown") if args else ""
        attributes = {"intent": intent, "outcome": outcome}
        meter.create_histogram_float(REALM_SECONDS, "Realm step duration", "s").record(
            seconds, attributes
        )
        activity.logger.info("realm step %s: %s in %.3f s", intent, outcome, seconds)
    else:
        attributes = {"outcome": outcome}  # the SDK's meter adds `activity_type`: the agent
        meter.create_histogram_float(AGENT_SECONDS, "Agent activity duration", "s").record(
            seconds, attributes
        )
