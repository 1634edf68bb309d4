"""The API process: `create_app()` and its lifespan (one Temporal client per process)."""

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.registry import default_registry
from api.auth import Authenticator
from api.conversations import Conversations
from api.edge import SocketRegistry, close_sockets_on_exit
from api.executions import Executions
from api.hub import StreamHub
from api.limits import UserCaps
from api.links import execution_link
from api.middleware import HostGuard
from api.routes import (
    agent_socket,
    execution_stream,
    executions,
    files,
    health,
    intents,
    sessions,
)
from settings import Settings
from storage.files import LocalFileStore

WEB = Path(__file__).resolve().parent.parent / "web"
"""The console page: static files, no build step."""


class RedactTokens(logging.Filter):
    """Uvicorn's access log prints query strings: keep `access_token` values out of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN.sub(r"\1<redacted>", a) if isinstance(a, str) else a for a in record.args
            )
        return True


_TOKEN = re.compile(r"(access_token=)[^&\s]+")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
        )
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
        )
        registry = default_registry(settings.intent_modules)
        app.state.settings = settings
        app.state.authenticator = Authenticator(settings)
        app.state.sockets = sockets
        app.state.client = client
        app.state.hub = hub
        app.state.conversations = conversations
        app.state.executions = Executions(client, settings.task_queue, registry, conversations)
        app.state.store = LocalFileStore(
            settings.files_dir,
            settings.max_upload_bytes,
            quota_bytes=settings.upload_quota_bytes,
            max_concurrent=settings.max_concurrent_uploads,
        )
        app.state.registry = registry
        app.state.caps = UserCaps(client, settings)
        try:
            yield
        finally:
            await hub.close()

    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    app = FastAPI(title="Symphainy agent platform", version="0.1.0", lifespan=lifespan)
    app.add_middleware(HostGuard, allowed=settings.allowed_hosts)
    for module in (agent_socket, execution_stream, executions, files, health, intents, sessions):
        app.include_router(module.router)
    app.mount("/", StaticFiles(directory=WEB, html=True), name="console")
    return app


logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = create_app()
