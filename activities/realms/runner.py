"""The Runtime's activities: validate an intent, then run it in its realm."""

import asyncio
import ctypes
import threading
import time
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.catalog import InvalidParams, UnknownIntent
from activities.realms.context import RealmContext
from activities.realms.reading.limits import ReadLimits
from activities.realms.sop.llm import SopModel
from activities.realms.spec import IntentSpec
from activities.registry import IntentRegistry
from models.execution import (
    REALM_PROGRESS_SIGNAL,
    RealmProgress,
    RealmResult,
    RealmTask,
    ValidatedIntent,
)
from models.intents import Intent
from storage.files import FileStore, UnknownFile

TICK = 0.5
"""Seconds between heartbeats while a handler runs (the worker throttles what it sends)."""
PROGRESS_EVERY = 1.0
"""At most one progress event a second reaches the stream (each one is history)."""
CANCEL_GRACE = 5.0
"""Seconds a cancelled handler gets to stop (heartbeating meanwhile) before the activity
reports itself cancelled anyway; a thread still inside native code stops on its return."""


class Cancelled(BaseException):
    """Raised inside a handler's thread after a cancel: at its next progress report, or
    at its next Python instruction if it is busy elsewhere (a long parse).

    A `BaseException`, so that a library's `except Exception` cannot swallow it."""


class RealmActivities:
    """Realm execution with its dependencies: the registry and the file store."""

    def __init__(
        self,
        registry: IntentRegistry,
        store: FileStore,
        read_limits: ReadLimits | None = None,
        sop_model: SopModel | None = None,
        max_findings: int = 20,
        concurrency: int = 4,
    ) -> None:
        self._registry = registry
        self._store = store
        self._read_limits = read_limits or ReadLimits()
        self._sop_model = sop_model
        self._max_findings = max_findings
        self._permits = asyncio.Semaphore(concurrency)
        """Handlers running at once (`settings.realm_concurrency`): what bounds the
        worker's CPU and memory. The worker takes more realm steps than that (see
        `worker.SLOTS_PER_PERMIT`); the others wait here, heartbeating. A cancelled
        handler keeps its permit until its thread returns: it still holds the CPU and
        the memory until then."""

    @activity.defn(name="runtime.validate")
    async def validate(self, intent: Intent) -> ValidatedIntent:
        """Refuse unknown intents and bad params before anything executes."""
        try:
            return self._registry.validate(intent)
        except UnknownIntent as err:
            raise ApplicationError(str(err), type="unknown_intent", non_retryable=True) from err
        except InvalidParams as err:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors)
            raise ApplicationError(
                f"invalid params for {err.name}: {fields}",
                err.errors,
                type="invalid_params",
                non_retryable=True,
            ) from err

    @activity.defn(name="runtime.execute")
    async def execute(self, task: RealmTask) -> RealmResult:
        """Run the intent's handler in a thread, heartbeating and relaying its progress.

        Realm work is CPU and file bound, so it runs off the event loop; this coroutine
        heartbeats meanwhile, so a cancel reaches the handler at its next report and a
        lost worker is noticed within the heartbeat timeout.
        """
        info = activity.info()
        relay = _Relay(info.attempt)
        if info.attempt > 1:
            await relay.signal(RealmProgress(attempt=info.attempt))
        spec = self._registry.spec(task.intent.name)
        context = RealmContext(
            user_id=task.user_id,
            execution_id=task.execution_id,
            store=self._store,
            report=relay.report,
            read_limits=self._read_limits,
            sop_model=self._sop_model,
            max_findings=self._max_findings,
        )
        await self._permit()
        try:
            handler = _HandlerThread(lambda: _run(spec, context, task, info.attempt))
        except BaseException:
            self._permits.release()
            raise
        handler.done.add_done_callback(lambda _: self._permits.release())
        try:
            await asyncio.wait({handler.done}, timeout=TICK)
            while not handler.done.done():
                activity.heartbeat()
                await relay.flush()
                await asyncio.wait({handler.done}, timeout=TICK)
        except asyncio.CancelledError:
            relay.cancel()
            handler.interrupt()
            await _heartbeat_until(handler.done, CANCEL_GRACE)
            raise
        return RealmResult(result=handler.done.result(), attempt=info.attempt)

    async def _permit(self) -> None:
        """Wait for a free handler permit, heartbeating meanwhile (a queued step is alive;
        a cancel reaches it here). Cancelled, it holds no permit."""
        acquired = asyncio.ensure_future(self._permits.acquire())
        try:
            while not acquired.done():
                await asyncio.wait({acquired}, timeout=TICK)
                if not acquired.done():
                    activity.heartbeat()
        except asyncio.CancelledError:
            if acquired.done() and not acquired.cancelled():
                self._permits.release()
            acquired.cancel()
            raise


class _Relay:
    """Carries progress from the handler's thread to the workflow, throttled."""

    def __init__(self, attempt: int) -> None:
        self._attempt = attempt
        self._latest: RealmProgress | None = RealmProgress(attempt=attempt, message="running")
        """The report the next flush sends: `running` until the handler reports."""
        self._sent_at = time.monotonic()
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    def report(self, message: str, percent: float | None) -> None:
        """Called from the handler's thread."""
        if self._cancelled.is_set():
            raise Cancelled("the execution was cancelled")
        with self._lock:
            self._latest = RealmProgress(attempt=self._attempt, message=message, percent=percent)

    def cancel(self) -> None:
        self._cancelled.set()

    async def flush(self) -> None:
        """Send the newest report, at most once per `PROGRESS_EVERY` (none for short work).

        Work past a second always reports once, `running` if its handler said nothing:
        the session holds a turn's events until its execution ends or first speaks."""
        if time.monotonic() - self._sent_at < PROGRESS_EVERY:
            return
        with self._lock:
            latest, self._latest = self._latest, None
        if latest is not None:
            self._sent_at = time.monotonic()
            await self.signal(latest)

    async def signal(self, progress: RealmProgress) -> None:
        info = activity.info()
        handle = activity.client().get_workflow_handle(info.workflow_id or "")
        await handle.signal(REALM_PROGRESS_SIGNAL, progress)


class _HandlerThread:
    """A realm handler on a thread of its own, which a cancel can interrupt.

    Realm work is CPU and file bound (a parse may run for minutes without reporting),
    so it runs off the event loop, and `interrupt` raises `Cancelled` inside it at its
    next Python instruction. The thread is the handler's alone, so the exception can
    never land in other work; it is raised only while the handler runs.
    """

    def __init__(self, work: Callable[[], dict[str, Any]]) -> None:
        self._work = work
        self._loop = asyncio.get_running_loop()
        self.done: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._lock = threading.Lock()
        self._running = True
        self._thread = threading.Thread(target=self._target, name="realm-handler", daemon=True)
        self._thread.start()

    def interrupt(self) -> None:
        with self._lock:
            if self._running and self._thread.ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._thread.ident), ctypes.py_object(Cancelled)
                )
                self._running = False
        self.done.add_done_callback(_forget)

    def _target(self) -> None:
        try:
            try:
                result = self._work()
            finally:
                with self._lock:
                    self._running = False
        except BaseException as err:  # the handler's failure, or the interrupt
            self._loop.call_soon_threadsafe(_settle, self.done, None, err)
        else:
            self._loop.call_soon_threadsafe(_settle, self.done, result, None)


def _settle(
    future: asyncio.Future[dict[str, Any]], result: dict[str, Any] | None, err: BaseException | None
) -> None:
    if future.done():
        return
    if err is not None:
        future.set_exception(err)
    else:
        future.set_result(result or {})


def _forget(future: asyncio.Future[Any]) -> None:
    """A cancelled handler's outcome is no one's business any more."""
    if not future.cancelled():
        future.exception()


async def _heartbeat_until(done: asyncio.Future[Any], patience: float) -> None:
    """Keep the activity alive while a cancelled handler stops (it may not take long)."""
    deadline = time.monotonic() + patience
    while not done.done() and time.monotonic() < deadline:
        await asyncio.wait({done}, timeout=TICK)
        activity.heartbeat()


def _run(spec: IntentSpec, context: RealmContext, task: RealmTask, attempt: int) -> dict[str, Any]:
    """The handler, with its failures classified for the workflow (attempt included)."""
    try:
        result = spec.handler(context, spec.entry.params.model_validate(task.intent.params))
    except ApplicationError as err:
        raise ApplicationError(
            err.message, {"attempt": attempt}, type=err.type, non_retryable=err.non_retryable
        ) from err
    except UnknownFile as err:
        raise ApplicationError(
            f"file {err} is not one of yours",
            {"attempt": attempt},
            type="unknown_file",
            non_retryable=True,
        ) from err
    except Cancelled:
        raise
    except OSError as err:
        raise ApplicationError(
            f"could not read or write a file: {err}", {"attempt": attempt}, type="io_error"
        ) from err
    except Exception as err:
        raise ApplicationError(
            f"{type(err).__name__}: {err}", {"attempt": attempt}, type="realm_fault"
        ) from err
    return result.model_dump(mode="json")
