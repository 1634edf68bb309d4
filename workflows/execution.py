"""Runtime: one durable execution of one intent. Knows nothing of agents or sessions.

Its history is the write-ahead log of the execution; its stream carries the
execution's events, and each event is also forwarded to an observer workflow (a
session) when one was named.
"""

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, TimeoutError

with workflow.unsafe.imports_passed_through():
    from temporalio.contrib.workflow_streams import WorkflowStream

    from activities.realms.runner import RealmActivities
    from models.events import (
        EVENTS_TOPIC,
        ExecutionCancelled,
        ExecutionCompleted,
        ExecutionError,
        ExecutionEvent,
        ExecutionFailed,
        ExecutionProgress,
        ExecutionStarted,
    )
    from models.execution import (
        EXECUTION_EVENT_SIGNAL,
        REALM_PROGRESS_SIGNAL,
        ExecutionEventSignal,
        ExecutionInput,
        ExecutionOutcome,
        ExecutionView,
        OutcomeStatus,
        RealmProgress,
        RealmTask,
        ValidatedIntent,
    )
    from models.search import EXECUTION_WORKFLOW, INTENT_STATUS

VALIDATE_TIMEOUT = timedelta(seconds=10)
REALM_HEARTBEAT = timedelta(seconds=10)
"""How soon a lost worker's realm step is retried elsewhere (the work's own bounds are
per intent, in the registry)."""
REALM_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
)
NO_RETRY = RetryPolicy(maximum_attempts=1)


@workflow.defn(name=EXECUTION_WORKFLOW, sandboxed=False)
class IntentExecution:
    """Validates an intent against the registry, then runs its realm step.

    Query `view`: the execution as the API shows it.
    Stream (workflow_streams): the execution's own events, for
    `/api/execution/{id}/stream`. Signals out: `EXECUTION_EVENT_SIGNAL` to the observer.
    Returns an `ExecutionOutcome` when the intent completed; fails (outcome in the error's
    details) when it failed, and ends cancelled when it was cancelled. Not sandboxed, like
    the conversation (README "How a turn runs": No sandbox).
    """

    @workflow.init
    def __init__(self, request: ExecutionInput) -> None:
        self._request = request
        self._emitting = asyncio.Lock()
        info = workflow.info()
        self._rerun = info.run_id != info.first_execution_run_id
        self._stream = WorkflowStream()
        self._events = self._stream.topic(EVENTS_TOPIC)
        self._view = ExecutionView(
            execution_id=request.execution_id,
            user_id=request.user_id,
            session_id=request.session_id,
            turn_id=request.turn_id,
            intent=request.intent,
            status="validating",
            attempts=0,
            retry_of=request.retry_of,
        )

    @workflow.run
    async def run(self, request: ExecutionInput) -> ExecutionOutcome:
        try:
            validated = await workflow.execute_local_activity_method(
                RealmActivities.validate,
                request.intent,
                start_to_close_timeout=VALIDATE_TIMEOUT,
                retry_policy=NO_RETRY,
                summary=f"Runtime: validate {request.intent.name}",
            )
        except ActivityError as err:
            return await self._close(await self._failed(_error_of(err), attempts=0))
        try:
            outcome = await self._execute(validated)
        except asyncio.CancelledError:
            outcome = await self._cancelled()
        return await self._close(outcome)

    async def _close(self, outcome: ExecutionOutcome) -> ExecutionOutcome:
        """End the workflow as the intent ended, so the Temporal UI shows it as it is.

        A failed intent fails the workflow (the outcome rides in the error's details)
        and a cancelled one cancels it; only a completed intent returns normally.
        """
        await workflow.wait_condition(workflow.all_handlers_finished)
        if outcome.status == "cancelled":
            raise asyncio.CancelledError("the execution was cancelled")
        if outcome.error is not None:
            raise ApplicationError(
                outcome.error.message, outcome, type=outcome.error.type, non_retryable=True
            )
        return outcome

    @workflow.signal(name=REALM_PROGRESS_SIGNAL)
    async def realm_progress(self, progress: RealmProgress) -> None:
        """The realm activity began a retry, or reports how far it got."""
        execution_id = self._request.execution_id
        if progress.message is None:
            if progress.attempt > self._view.attempts:
                self._view.attempts = progress.attempt
                await self._emit(
                    ExecutionStarted(
                        ts=workflow.now(), execution_id=execution_id, attempt=progress.attempt
                    )
                )
            return
        await self._emit(
            ExecutionProgress(
                ts=workflow.now(),
                execution_id=execution_id,
                message=progress.message,
                percent=progress.percent,
            )
        )

    @workflow.query
    def view(self) -> ExecutionView:
        """Status, attempts and result or error, as they are now."""
        return self._view

    async def _execute(self, validated: ValidatedIntent) -> ExecutionOutcome:
        request = self._request
        self._view.status = "running"
        self._view.attempts = 1
        await self._emit(
            ExecutionStarted(ts=workflow.now(), execution_id=request.execution_id, attempt=1),
            lifecycle=True,
        )
        try:
            realm = await workflow.execute_activity_method(
                RealmActivities.execute,
                RealmTask(
                    execution_id=request.execution_id, user_id=request.user_id, intent=validated
                ),
                start_to_close_timeout=validated.start_to_close,
                schedule_to_close_timeout=validated.schedule_to_close,
                heartbeat_timeout=REALM_HEARTBEAT,
                retry_policy=REALM_RETRY,
                cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
                summary=f"{validated.realm.value.capitalize()} realm: {validated.name}",
            )
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                return await self._cancelled()
            return await self._failed(_error_of(err), attempts=_attempts_of(err))
        await self._emit(
            ExecutionCompleted(
                ts=workflow.now(), execution_id=request.execution_id, result=realm.result
            ),
            lifecycle=True,
        )
        return self._outcome("completed", attempts=realm.attempt, result=realm.result)

    async def _failed(self, error: ExecutionError, attempts: int) -> ExecutionOutcome:
        await self._emit(
            ExecutionFailed(
                ts=workflow.now(),
                execution_id=self._request.execution_id,
                error=error,
                attempts=attempts,
            ),
            lifecycle=True,
        )
        return self._outcome("failed", attempts=attempts, error=error)

    async def _cancelled(self) -> ExecutionOutcome:
        await self._emit(
            ExecutionCancelled(ts=workflow.now(), execution_id=self._request.execution_id),
            lifecycle=True,
        )
        return self._outcome("cancelled", attempts=self._view.attempts)

    def _outcome(
        self,
        status: OutcomeStatus,
        *,
        attempts: int,
        result: dict[str, Any] | None = None,
        error: ExecutionError | None = None,
    ) -> ExecutionOutcome:
        workflow.upsert_search_attributes([INTENT_STATUS.value_set(status)])
        self._view.status = status
        self._view.attempts = attempts
        self._view.result = result
        self._view.error = error
        return ExecutionOutcome(
            execution_id=self._request.execution_id,
            status=status,
            intent=self._request.intent,
            attempts=attempts,
            result=result,
            error=error,
        )

    async def _emit(self, event: ExecutionEvent, *, lifecycle: bool = False) -> None:
        """Publish to this execution's stream and, in order, to the observing session.

        A parent session learns the lifecycle (started, the outcome) from the child
        workflow itself, so only progress and retries travel by signal, each a history
        round trip saved on the hot path. A run that is not the first (a reset from the
        Temporal UI or CLI) has no parent waiting for it, so it forwards everything.
        """
        event.turn_id = self._request.turn_id
        async with self._emitting:
            self._events.publish(event)
            observer = self._request.observer_workflow_id
            if observer and (not lifecycle or self._rerun):
                await workflow.get_external_workflow_handle(observer).signal(
                    EXECUTION_EVENT_SIGNAL, ExecutionEventSignal(event=event)
                )


def _error_of(err: ActivityError) -> ExecutionError:
    """A user-facing error from what the activity raised."""
    cause = err.cause
    if isinstance(cause, TimeoutError):
        return ExecutionError(
            type="timeout", message="the work took too long and was stopped", retryable=True
        )
    if isinstance(cause, ApplicationError):
        return ExecutionError(
            type=cause.type or "error", message=cause.message, retryable=not cause.non_retryable
        )
    return ExecutionError(type="error", message=str(cause or err), retryable=True)


def _attempts_of(err: ActivityError) -> int:
    """The attempt a failure happened on, as the realm activity recorded it."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.details:
        detail = cause.details[0]
        if isinstance(detail, dict) and isinstance(detail.get("attempt"), int):
            return int(detail["attempt"])
    return 1
