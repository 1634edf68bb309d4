"""The agents in a turn: short pure analysis, run as local activities (off the task queue)."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.agents.activities import AgentActivities

AGENT_TIMEOUT = timedelta(seconds=30)
"""Room for an LLM backend's call and its validation retry; offline agents take ~1 ms."""
AGENT_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_attempts=3)

Req = TypeVar("Req", bound=BaseModel)
Res = TypeVar("Res", bound=BaseModel)


async def run_agent(
    method: Callable[[AgentActivities, Req], Awaitable[Res]], request: Req, summary: str
) -> Res:
    """One agent's answer; its local activity keeps the turn's workflow task open."""
    return await workflow.execute_local_activity_method(
        method,
        request,
        start_to_close_timeout=AGENT_TIMEOUT,
        retry_policy=AGENT_RETRY,
        summary=summary,
    )
