"""The raw Temporal floor: a minimal workflow with no project code, for baselines."""

import asyncio
import contextlib
import time
import uuid
from datetime import timedelta
from typing import TypeVar

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

T = TypeVar("T")


class Stoppable:
    """A floor workflow runs until the benchmark signals `stop`."""

    def __init__(self) -> None:
        self._done = False

    async def stopped(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    async def next_turn(self, queue: list[T]) -> T | None:
        """The next queued turn, or None once the benchmark stopped the workflow."""
        await workflow.wait_condition(lambda: bool(queue) or self._done)
        return None if self._done else queue.pop(0)

    @workflow.signal
    def stop(self) -> None:
        self._done = True


@workflow.defn
class Floor(Stoppable):
    """An Update that does nothing: the cheapest round trip Temporal offers."""

    @workflow.run
    async def run(self) -> None:
        await self.stopped()

    @workflow.update
    async def ping(self) -> int:
        return 1


async def update_round_trips_ms(address: str, rounds: int) -> list[float]:
    """No-op Update round trips on a minimal workflow, same server, same run."""
    client = await Client.connect(address)
    queue = f"floor-{uuid.uuid4().hex}"
    async with Worker(client, task_queue=queue, workflows=[Floor]):
        handle = await client.start_workflow(
            Floor.run, id=queue, task_queue=queue, run_timeout=timedelta(minutes=10)
        )
        await handle.execute_update(Floor.ping)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            await handle.execute_update(Floor.ping)
            samples.append((time.perf_counter() - started) * 1000)
        await handle.signal(Floor.stop)
    return samples


@activity.defn(name="floor.noop")
async def noop(value: int) -> int:
    return value


AGENTS = 2
"""Local activities per turn: the floor's stand-in for a turn's agents."""


async def run_agents(value: int) -> int:
    """A turn's agents, raw: `AGENTS` no-op local activities in a row."""
    for _ in range(AGENTS):
        value = await workflow.execute_local_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )
    return value


@workflow.defn(name="FloorTurns")
class FloorTurns(Stoppable):
    """The raw floor of one turn: an Update whose handler runs two local activities."""

    @workflow.run
    async def run(self) -> None:
        await self.stopped()

    @workflow.update
    async def turn(self, value: int) -> int:
        return await run_agents(value)


@workflow.defn(name="FloorIngestExecution")
class FloorIngestExecution:
    """The raw floor of an execution: a local activity (validation), then an activity."""

    @workflow.run
    async def run(self, value: int) -> int:
        value = await workflow.execute_local_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )
        return await workflow.execute_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )


@workflow.defn(name="FloorIngestTurns")
class FloorIngestTurns(Stoppable):
    """The raw floor of an ingest turn, with no project code.

    An Update whose handler runs a local activity (the agent), a child workflow with a
    local activity and an activity (the execution), and a last local activity (the
    summary), and returns.
    """

    @workflow.run
    async def run(self) -> None:
        await self.stopped()

    @workflow.update
    async def turn(self, value: int) -> int:
        value = await workflow.execute_local_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )
        value = await workflow.execute_child_workflow(
            FloorIngestExecution.run, value, id=f"{workflow.info().workflow_id}-{value}"
        )
        return await workflow.execute_local_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )


@workflow.defn(name="FloorStreamTurns")
class FloorStreamTurns(Stoppable):
    """The raw floor of a turn shaped like the platform's, with no project code.

    An Update records the message and returns; the run loop answers it with two local
    activities; a long-poll Update (the stream subscriber's) returns when it is answered.
    """

    def __init__(self) -> None:
        super().__init__()
        self._queue: list[int] = []
        self._answered = 0

    @workflow.run
    async def run(self) -> None:
        while (value := await self.next_turn(self._queue)) is not None:
            await run_agents(value)
            self._answered += 1

    @workflow.update
    async def submit(self, value: int) -> None:
        self._queue.append(value)

    @workflow.update
    async def poll(self, seen: int) -> int:
        await workflow.wait_condition(lambda: self._answered > seen)
        return self._answered


@workflow.defn(name="DevServerChild")
class Child:
    """A child workflow that returns at once: one child hop."""

    @workflow.run
    async def run(self, value: int) -> int:
        return value


@workflow.defn(name="DevServerHops")
class Hops(Stoppable):
    """Each Update is one kind of hop, timed by the client."""

    @workflow.run
    async def run(self) -> None:
        await self.stopped()

    @workflow.update
    async def update(self) -> int:
        return 1

    @workflow.update
    async def child(self) -> int:
        return await workflow.execute_child_workflow(Child.run, 1, id=workflow.uuid4().hex)

    @workflow.update
    async def matched_activity(self) -> int:
        queue = f"{workflow.info().task_queue}-activities"
        return await workflow.execute_activity(
            noop, 1, task_queue=queue, start_to_close_timeout=timedelta(seconds=10)
        )

    @workflow.update
    async def eager_activity(self) -> int:
        return await workflow.execute_activity(
            noop, 1, start_to_close_timeout=timedelta(seconds=10)
        )

    @workflow.update
    async def timer(self) -> int:
        await workflow.sleep(0.001)
        return 1


@workflow.defn(name="AcceptShapes")
class AcceptShapes(Stoppable):
    """A session in miniature: a queue of turns, each answered by `run_agents`."""

    def __init__(self) -> None:
        super().__init__()
        self._queue: list[bool] = []
        self._recorded = 0
        self._answered = 0

    @workflow.run
    async def run(self) -> None:
        while (next_task := await self.next_turn(self._queue)) is not None:
            if next_task:
                await self._next_task()
            await run_agents(1)
            self._answered += 1

    @staticmethod
    async def _next_task() -> None:
        """Wait for the next workflow task, or for the platform's 500 ms fallback timer
        when none comes (a poll that reached the task that recorded the turn)."""
        recorded_in = workflow.info().get_current_history_length()
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: workflow.info().get_current_history_length() != recorded_in,
                timeout=0.5,
            )

    @workflow.update
    async def noop(self) -> int:
        return 1

    @workflow.update
    async def agents(self) -> int:
        return await run_agents(1)

    @workflow.update
    async def submit(self, next_task: bool) -> int:
        """Record a turn; `next_task`: its agents wait for the next workflow task."""
        self._queue.append(next_task)
        self._recorded += 1
        return self._recorded

    @workflow.signal
    def message(self) -> None:
        self._queue.append(False)
        self._recorded += 1

    @workflow.update
    async def poll(self, seen: list[int]) -> list[int]:
        """Answer once something is newer than `seen` (recorded, answered); a negative
        `recorded` waits for an answer only (a feed that holds the acknowledgement, as
        the platform's held stream does)."""
        await workflow.wait_condition(
            lambda: self._answered != seen[1] or 0 <= seen[0] != self._recorded
        )
        return [self._recorded, self._answered]
