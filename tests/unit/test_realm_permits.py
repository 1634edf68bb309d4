"""Realm handlers run `realm_concurrency` at a time; the worker takes more realm steps
than that (so that a workflow task can hand it the next one eagerly), and those wait in
the worker for a permit, heartbeating, without holding one when cancelled."""

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel
from temporalio.testing import ActivityEnvironment

from activities.catalog import CatalogEntry
from activities.realms import runner
from activities.realms.context import RealmContext
from activities.realms.runner import RealmActivities
from activities.realms.spec import IntentSpec
from activities.registry import IntentRegistry
from models.execution import RealmResult, RealmTask
from models.intents import Intent, Realm
from storage.files import LocalFileStore

PERMITS = 2
PATIENCE = 30.0


@pytest.fixture(autouse=True)
def _no_progress_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work past `PROGRESS_EVERY` reports to its workflow, and these steps have none."""
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 3600.0)


class Nothing(BaseModel):
    pass


class Gate:
    """A handler that waits until the test opens it, counting how many run at once."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def handler(self, ctx: RealmContext, params: Nothing) -> Nothing:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            self.open.wait(PATIENCE)
        finally:
            with self._lock:
                self.running -= 1
        return Nothing()


class Step:
    """One realm step in its own activity environment, with its own heartbeats."""

    def __init__(self, realms: RealmActivities, task: RealmTask) -> None:
        self.env = ActivityEnvironment()
        self.beats = 0
        self.env.on_heartbeat = self._beat
        self.run: asyncio.Task[RealmResult] = asyncio.ensure_future(
            self.env.run(realms.execute, task)
        )

    def _beat(self, *details: object) -> None:
        self.beats += 1


def _realms(tmp_path: Path, gate: Gate) -> tuple[RealmActivities, RealmTask]:
    entry = CatalogEntry("test_gate", Realm.CONTENT, "waits for the test", Nothing)
    registry = IntentRegistry([IntentSpec(entry, gate.handler)])
    store = LocalFileStore(tmp_path, max_bytes=1024)
    realms = RealmActivities(registry, store, concurrency=PERMITS)
    task = RealmTask(
        execution_id="e1", user_id="u", intent=registry.validate(Intent(name="test_gate"))
    )
    return realms, task


async def _until(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not done():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


async def _all_running(realms: RealmActivities, task: RealmTask, gate: Gate) -> list[Step]:
    """`PERMITS` steps, once every one of them runs in the gate."""
    steps = [Step(realms, task) for _ in range(PERMITS)]
    await _until(lambda: gate.running == PERMITS)
    return steps


async def _cancelled(step: Step) -> None:
    """Cancel a step and see its activity end cancelled."""
    step.env.cancel()
    with pytest.raises(asyncio.CancelledError):
        await step.run


async def _every_permit_free(realms: RealmActivities, task: RealmTask, gate: Gate) -> None:
    """`PERMITS` new steps all run at once: no permit is still held."""
    gate.open.clear()
    later = await _all_running(realms, task, gate)
    gate.open.set()
    await asyncio.gather(*(s.run for s in later))


def test_steps_past_the_permits_wait_heartbeating_then_run(tmp_path: Path) -> None:
    gate = Gate()
    realms, task = _realms(tmp_path, gate)

    async def scenario() -> None:
        steps = [Step(realms, task) for _ in range(PERMITS + 3)]
        await _until(lambda: gate.running == PERMITS and all(s.beats for s in steps))
        assert gate.running == PERMITS
        gate.open.set()
        await asyncio.gather(*(s.run for s in steps))

    asyncio.run(scenario())
    assert gate.peak == PERMITS


def test_a_step_cancelled_while_it_waits_holds_no_permit(tmp_path: Path) -> None:
    gate = Gate()
    realms, task = _realms(tmp_path, gate)

    async def scenario() -> None:
        running = await _all_running(realms, task, gate)
        queued = Step(realms, task)
        await _until(lambda: queued.beats > 0)
        await _cancelled(queued)
        gate.open.set()
        await asyncio.gather(*(s.run for s in running))
        await _every_permit_free(realms, task, gate)

    asyncio.run(scenario())
    assert gate.peak == PERMITS


def test_a_cancelled_handler_keeps_its_permit_until_its_thread_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its activity reports cancelled after the grace time, but its thread still holds
    the CPU and memory the permits bound (it is waiting in the gate), so a step queued
    behind it waits too; once the thread has returned, its permit is free again."""
    monkeypatch.setattr(runner, "CANCEL_GRACE", 0.1)
    gate = Gate()
    realms, task = _realms(tmp_path, gate)

    async def scenario() -> None:
        first = await _all_running(realms, task, gate)
        await _cancelled(first[0])
        queued = Step(realms, task)
        await _until(lambda: queued.beats > 0)
        assert gate.peak == PERMITS
        gate.open.set()
        await asyncio.gather(first[1].run, queued.run)
        await _every_permit_free(realms, task, gate)

    asyncio.run(scenario())
    assert gate.peak == PERMITS
