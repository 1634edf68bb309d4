"""OpenTelemetry traces: one trace per socket frame, through the workflows and activities.

The API opens a span for each client frame (`socket user.message`); Temporal's
`TracingInterceptor` carries its context through the `submit` Update. Temporal parents
everything a workflow does under the workflow's *start*, so a session's later turns
would hang under its first message: the message therefore carries its frame's trace
context (`UserMessage.trace`) and the conversation runs the turn under it (`resumed`),
so the guide, the liaisons, the child `IntentExecution` and its realm activity join the
frame's trace. Off unless `SYMPHAINY_OTLP_ENDPOINT` names a collector (OTLP/HTTP).
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.converter import PayloadConverter

HEADER = "_tracer-data"
"""Where `TracingInterceptor` keeps the context in Temporal headers."""
_PROPAGATOR = TraceContextTextMapPropagator()
_TRACER = "symphainy"
STREAM_POLL = "__temporal_workflow_stream_poll"
"""The Update `workflow_streams` subscribers long-poll with."""
UNTRACED_FRAMES = frozenset(("ping",))
"""Keepalives would fill a trace store with nothing to follow."""


def configure_tracing(otlp_endpoint: str | None, service: str) -> list[Interceptor]:
    """Install the exporting tracer provider; the Temporal interceptors to use (none if off)."""
    if not otlp_endpoint:
        return []
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), sampler=_SkipStreamPolls()
    )
    exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return [TracingInterceptor()]


class _SkipStreamPolls(Sampler):
    """Every span, except the stream's long polls: one per session per turn per API
    process, they would bury the turns. A dropped span's children are dropped with it."""

    def __init__(self) -> None:
        self._next = ParentBased(ALWAYS_ON)

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: trace.SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if STREAM_POLL in name:
            return SamplingResult(Decision.DROP)
        return self._next.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "SkipStreamPolls"


def shutdown_tracing() -> None:
    """Flush spans still queued (a stopping process must not lose its last turn's trace)."""
    provider: Any = trace.get_tracer_provider()
    if hasattr(provider, "shutdown"):
        provider.shutdown()


@contextmanager
def frame_span(kind: str, **attributes: str | None) -> Iterator[None]:
    """A new trace for one client frame (a root span, not the socket's connection)."""
    if kind in UNTRACED_FRAMES:
        yield
        return
    tracer = trace.get_tracer(_TRACER)
    with tracer.start_as_current_span(
        f"socket {kind}",
        context=otel_context.Context(),
        kind=trace.SpanKind.SERVER,
        attributes={k: v for k, v in attributes.items() if v is not None},
    ):
        yield


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (empty when nothing is traced)."""
    headers: dict[str, str] = {}
    _PROPAGATOR.inject(headers)
    return headers


@contextmanager
def resumed(headers: Mapping[str, str]) -> Iterator[None]:
    """Run the block under the trace context `headers` carry (workflow-safe: no I/O, no
    clock; the context lives in the task's contextvars, like the interceptor's own)."""
    if not headers:
        yield
        return
    token = otel_context.attach(_PROPAGATOR.extract(dict(headers), otel_context.get_current()))
    try:
        yield
    finally:
        with suppress(ValueError):  # an evicted workflow's task is finalized elsewhere
            token.var.reset(token)


def trace_id_of(header: Payload | None) -> str | None:
    """The trace id in a Temporal `_tracer-data` header, if any."""
    if header is None:
        return None
    headers = PayloadConverter.default.from_payloads([header])[0]
    if not isinstance(headers, dict):
        return None
    span = trace.get_current_span(_PROPAGATOR.extract(headers)).get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else None


async def workflow_trace_id(client: Client, workflow_id: str) -> str | None:
    """The trace a workflow was started in, from its first history event's header."""
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events(page_size=1):
        fields = event.workflow_execution_started_event_attributes.header.fields
        return trace_id_of(fields.get(HEADER))
    return None
