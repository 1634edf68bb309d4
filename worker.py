"""The worker process: builds activity objects with their dependencies and runs them."""

import asyncio
import logging
import os
import signal
import sys
from datetime import timedelta
from typing import Any

from openai import AsyncOpenAI, OpenAI
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.agents.activities import AgentActivities
from activities.agents.analyzer import KeywordAnalyzer
from activities.agents.backend import AgentBackend, OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.deltas import DeltaPoster
from activities.agents.liaisons import default_liaisons
from activities.agents.llm import ChatModel, LLMBackend
from activities.catalog import Catalog
from activities.realms.query import QueryLimits, TableSchemas
from activities.realms.runner import RealmActivities
from activities.realms.sop.llm import SopModel
from activities.registry import IntentRegistry, default_registry
from settings import Settings
from startup import StartupCheckFailed, ensure_search_attributes
from storage.files import LocalFileStore
from telemetry.logs import configure_logging
from telemetry.metrics import ActivityMetrics, worker_runtime
from telemetry.tracing import configure_tracing, shutdown_tracing
from workflows.conversation import Conversation
from workflows.execution import IntentExecution

log = logging.getLogger("worker")
HEARTBEAT_THROTTLE = timedelta(seconds=1)
"""Heartbeats reach the server at least this often, so a cancel reaches a realm within ~1 s."""
GRACEFUL_SHUTDOWN = timedelta(seconds=5)
"""On SIGTERM, in-flight activities get this long before they are cancelled (and retried
at once on another worker instead of after the heartbeat timeout)."""
ACTIVITY_POLLS = 1
"""Activity task polls kept open. Each open poll holds one of the worker's activity
slots, and a workflow task hands its activity to this worker directly (eager dispatch,
no trip through matching) only while a slot is free: with the SDK's 5 polls and 4 slots
none ever was, and each realm step waited ~6 ms for matching (README "How a turn runs")."""
SLOTS_PER_PERMIT = 4
"""Realm steps this worker takes for each one it runs at once (`realm_concurrency`, the
handler permits of `RealmActivities`): the others wait in the worker, heartbeating. With
one slot per permit a busy worker had no slot free, so every realm step went through
matching again: at 200 ingest sessions the dev server spent ~14 ms more CPU a turn."""


def backend_for(settings: Settings, catalog: Catalog) -> AgentBackend:
    """The agents' backend the settings name, its liaisons on the worker's catalog (so a
    plugin module's intents reach the agents too); the LLM falls back to the classifier."""
    liaisons = default_liaisons(catalog)
    if settings.analyzer == "keyword":
        return OfflineBackend(KeywordAnalyzer(liaisons), liaisons)
    analyzer = ClassifierAnalyzer(threshold=settings.clarify_threshold, liaisons=liaisons)
    offline = OfflineBackend(analyzer, liaisons)
    if settings.analyzer == "classifier":
        return offline
    model = ChatModel(AsyncOpenAI(**_llm_client(settings)), settings.llm_model)
    return LLMBackend(model, offline, deltas_for(settings))


def deltas_for(settings: Settings) -> DeltaPoster | None:
    """Where an LLM liaison's words go while the model writes them: the API processes
    the settings name, with the shared secret; without both, nowhere."""
    if not settings.delta_urls or settings.delta_secret is None:
        return None
    return DeltaPoster(
        settings.delta_urls,
        settings.delta_secret.get_secret_value(),
        each_address=settings.delta_each_address,
    )


def sop_model_for(settings: Settings) -> SopModel | None:
    """The model that reads SOPs (Journey realm) when the settings ask for one."""
    if settings.sop_reader != "llm":
        return None
    return SopModel(OpenAI(**_llm_client(settings)), settings.llm_model)


def _llm_client(settings: Settings) -> dict[str, Any]:
    """How both OpenAI clients reach the endpoint; Temporal retries, the client does not."""
    return {
        "base_url": settings.llm_base_url,
        "api_key": settings.llm_api_key.get_secret_value(),
        "timeout": settings.llm_timeout_seconds,
        "max_retries": 0,
    }


def activity_slots(settings: Settings) -> tuple[int, int]:
    """Realm steps the worker takes at once, and how many of those slots the open polls
    hold (fewer, so that a free one takes the next step eagerly: see `ACTIVITY_POLLS`)."""
    return settings.realm_concurrency * SLOTS_PER_PERMIT, ACTIVITY_POLLS


def build_worker(
    client: Client, settings: Settings, registry: IntentRegistry | None = None
) -> Worker:
    """One worker for both planes' workflows and activities on the configured task queue."""
    store = LocalFileStore(settings.files_dir, settings.max_upload_bytes)
    limits = QueryLimits(
        max_rows=settings.query_max_rows,
        timeout_seconds=settings.query_timeout_seconds,
        max_plan_rows=settings.query_max_plan_rows,
        threads=settings.query_threads,
    )
    registry = registry or default_registry(settings.intent_modules, limits)
    tables = TableSchemas(store, settings.read_limits)
    agents = AgentActivities(backend_for(settings, registry.catalog), registry.catalog, tables)
    slots, polls = activity_slots(settings)
    realms = RealmActivities(
        registry,
        store,
        settings.read_limits,
        sop_model_for(settings),
        max_findings=settings.insights_max_findings,
        concurrency=settings.realm_concurrency,
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[Conversation, IntentExecution],
        activities=[
            agents.analyze,
            agents.recommend,
            agents.merge,
            agents.summarize,
            realms.validate,
            realms.execute,
        ],
        max_concurrent_activities=slots,
        max_concurrent_activity_task_polls=polls,
        max_heartbeat_throttle_interval=HEARTBEAT_THROTTLE,
        interceptors=[ActivityMetrics()],
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


async def main(settings: Settings) -> None:
    """Check the namespace, then run until SIGTERM/SIGINT, finishing in-flight tasks."""
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        interceptors=configure_tracing(settings.otlp_endpoint, "symphainy-worker"),
        runtime=worker_runtime(settings),
    )
    await ensure_search_attributes(client, settings.temporal_namespace)
    worker = build_worker(client, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
    async with worker:
        await stopping.wait()
    shutdown_tracing()


def run() -> None:
    """`python worker.py`: a missing search attribute ends the process with what to do.

    Both ends leave through `os._exit`, after the logs are flushed: the SDK's runtime
    threads are still up, and interpreter finalization racing them can abort the process
    ("Fatal Python error: PyGILState_Release", SIGABRT) instead of exiting with its code;
    with one activity poll (`ACTIVITY_POLLS`) a clean stop hit it in 2 of 6 runs."""
    settings = Settings()
    configure_logging(settings)
    code = 0
    try:
        asyncio.run(main(settings))
    except StartupCheckFailed as err:
        log.error("%s", err)
        code = 2
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
