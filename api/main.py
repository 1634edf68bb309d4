"""The API process: `create_app()` and its lifespan (one Temporal client per process)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.catalog import default_catalog
from api.auth import Authenticator
from api.availability import install as answer_503_while_temporal_is_away
from api.conversations import Conversations
from api.edge import SocketRegistry, close_sockets_on_exit
from api.executions import Executions
from api.hub import StreamHub
from api.limits import UserCaps
from api.links import execution_link
from api.middleware import HostGuard
from api.redaction import install as redact_tokens_in_logs
from api.routes import (
    agent_socket,
    deltas,
    execution_stream,
    executions,
    files,
    health,
    intents,
    sessions,
)
from settings import Settings
from startup import StartupCheckFailed, ensure_search_attributes
from storage.files import LocalFileStore
from telemetry.logs import configure_logging
from telemetry.metrics import ApiMetrics, RequestMetrics
from telemetry.tracing import configure_tracing, shutdown_tracing

WEB = Path(__file__).resolve().parent.parent / "web"
"""The console page: static files, no build step."""
UNTRACED = "metrics,healthz,readyz,api/runtime/agent,api/experience/agent,api/execution/.*/stream"
"""Probes and sockets get no HTTP span: a socket's frames get a trace each instead."""
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or Settings()

    redact_tokens_in_logs()
    configure_logging(settings)
    interceptors = configure_tracing(settings.otlp_endpoint, "symphainy-api")
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            interceptors=interceptors,
        )
        try:
            await ensure_search_attributes(client, settings.temporal_namespace)
        except StartupCheckFailed as err:
            log.error("%s", err)
            raise
        hub = StreamHub(
            client,
            linger=timedelta(seconds=settings.stream_linger_seconds),
            memory=settings.feed_memory,
            link=partial(execution_link, settings),
        )
        sockets = SocketRegistry(settings)
        close_sockets_on_exit(sockets)
        conversations = Conversations(
            client,
            settings.task_queue,
            history_bound=settings.history_bound,
            approval_timeout=settings.approval_timeout_seconds,
            idle_seconds=settings.session_idle_seconds,
        )
        catalog = default_catalog(settings.intent_modules)
        app.state.settings = settings
        app.state.authenticator = Authenticator(settings)
        app.state.sockets = sockets
        app.state.client = client
        app.state.hub = hub
        app.state.conversations = conversations
        app.state.executions = Executions(client, settings.task_queue, catalog, conversations)
        app.state.store = LocalFileStore(
            settings.files_dir,
            settings.max_upload_bytes,
            quota_bytes=settings.upload_quota_bytes,
            max_concurrent=settings.max_concurrent_uploads,
        )
        app.state.caps = UserCaps(client, settings)
        app.state.metrics = metrics
        try:
            yield
        finally:
            await hub.close()
            shutdown_tracing()

    app = FastAPI(title="Symphainy agent platform", version="0.1.0", lifespan=lifespan)
    app.add_middleware(HostGuard, allowed=settings.allowed_hosts)
    answer_503_while_temporal_is_away(app)
    routes = (agent_socket, deltas, execution_stream, executions, files, health, intents, sessions)
    for module in routes:
        app.include_router(module.router)
    app.add_api_route("/metrics", partial(serve_metrics, metrics), include_in_schema=False)
    app.mount("/", StaticFiles(directory=WEB, html=True), name="console")
    app.add_middleware(RequestMetrics, metrics=metrics)
    if interceptors:
        FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED)
    return app


async def serve_metrics(metrics: ApiMetrics) -> Response:
    """Prometheus' text format of this process's registry."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


app = create_app()
