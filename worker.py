"""The worker process: builds activity objects with their dependencies and runs them."""

import asyncio
import logging
from datetime import timedelta

from openai import AsyncOpenAI
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.agents.activities import AgentActivities
from activities.agents.analyzer import KeywordAnalyzer
from activities.agents.backend import AgentBackend, OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.llm import ChatModel, LLMBackend
from activities.realms.query import QueryLimits, TableSchemas
from activities.realms.runner import RealmActivities
from activities.registry import IntentRegistry, default_registry
from settings import Settings
from storage.files import LocalFileStore
from workflows.conversation import Conversation
from workflows.execution import IntentExecution

log = logging.getLogger("worker")
HEARTBEAT_THROTTLE = timedelta(seconds=1)
"""Heartbeats reach the server at least this often, so a cancel reaches a realm within ~1 s."""


def backend_for(settings: Settings) -> AgentBackend:
    """The agents' backend the settings name; the LLM falls back to the classifier."""
    if settings.analyzer == "keyword":
        return OfflineBackend(KeywordAnalyzer())
    offline = OfflineBackend(ClassifierAnalyzer(threshold=settings.clarify_threshold))
    if settings.analyzer == "classifier":
        return offline
    client = AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout=settings.llm_timeout_seconds,
        max_retries=0,
    )
    return LLMBackend(ChatModel(client, settings.llm_model), offline)


def build_worker(
    client: Client, settings: Settings, registry: IntentRegistry | None = None
) -> Worker:
    """One worker for both planes' workflows and activities on the configured task queue."""
    store = LocalFileStore(settings.files_dir, settings.max_upload_bytes)
    agents = AgentActivities(backend_for(settings), TableSchemas(store, settings.read_limits))
    limits = QueryLimits(
        max_rows=settings.query_max_rows,
        timeout_seconds=settings.query_timeout_seconds,
        max_plan_rows=settings.query_max_plan_rows,
        threads=settings.query_threads,
    )
    realms = RealmActivities(
        registry or default_registry(settings.intent_modules, limits), store, settings.read_limits
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
        max_concurrent_activities=settings.realm_concurrency,
        max_heartbeat_throttle_interval=HEARTBEAT_THROTTLE,
    )


async def main() -> None:
    """Connect, run until interrupted."""
    settings = Settings()
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )
    worker = build_worker(client, settings)
    log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
    await worker.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(main())
