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
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

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
        ExecutionStarted,
    )
    from models.execution import (
        EXECUTION_EVENT_SIGNAL,
        ExecutionEventSignal,
        ExecutionInput,
        ExecutionOutcome,
        OutcomeStatus,
        RealmTask,
        ValidatedIntent,
    )
    from models.search import EXECUTION_STATUS

VALIDATE_TIMEOUT = timedelta(seconds=10)
REALM_START_TO_CLOSE = timedelta(minutes=10)
REALM_HEARTBEAT = timedelta(seconds=30)
REALM_SCHEDULE_TO_CLOSE = timedelta(minutes=30)
REALM_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
)
NO_RETRY = RetryPolicy(maximum_attempts=1)


@workflow.defn
class IntentExecution:
    """Validates an intent against the registry, then runs its realm step.

    Stream (workflow_streams): the execution's own events, for
    `/api/execution/{id}/stream`. Signals out: `EXECUTION_EVENT_SIGNAL` to the observer.
    Returns an `ExecutionOutcome`; a failed intent is a result, not a workflow failure.
    """

    @workflow.init
    def __init__(self, request: ExecutionInput) -> None:
        self._request = request
        self._stream = WorkflowStream()
        self._events = self._stream.topic(EVENTS_TOPIC)

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
            return await self._failed(_error_of(err), attempts=0)
        try:
            return await self._execute(validated)
        except asyncio.CancelledError:
            return await self._cancelled()

    async def _execute(self, validated: ValidatedIntent) -> ExecutionOutcome:
        request = self._request
        await self._emit(
            ExecutionStarted(ts=workflow.now(), execution_id=request.execution_id, attempt=1)
        )
        try:
            realm = await workflow.execute_activity_method(
                RealmActivities.execute,
                RealmTask(
                    execution_id=request.execution_id, user_id=request.user_id, intent=validated
                ),
                start_to_close_timeout=REALM_START_TO_CLOSE,
                schedule_to_close_timeout=REALM_SCHEDULE_TO_CLOSE,
                heartbeat_timeout=REALM_HEARTBEAT,
                retry_policy=REALM_RETRY,
                summary=f"{validated.realm.value.capitalize()} realm: {validated.name}",
            )
        except ActivityError as err:
            if isinstance(err.cause, asyncio.CancelledError):
                raise
            return await self._failed(_error_of(err), attempts=_attempts_of(err))
        await self._emit(
            ExecutionCompleted(
                ts=workflow.now(), execution_id=request.execution_id, result=realm.result
            )
        )
        return self._outcome("completed", attempts=1, result=realm.result)

    async def _failed(self, error: ExecutionError, attempts: int) -> ExecutionOutcome:
        await self._emit(
            ExecutionFailed(
                ts=workflow.now(),
                execution_id=self._request.execution_id,
                error=error,
                attempts=attempts,
            )
        )
        return self._outcome("failed", attempts=attempts, error=error)

    async def _cancelled(self) -> ExecutionOutcome:
        await self._emit(
            ExecutionCancelled(ts=workflow.now(), execution_id=self._request.execution_id)
        )
        return self._outcome("cancelled", attempts=1)

    def _outcome(
        self,
        status: OutcomeStatus,
        *,
        attempts: int,
        result: dict[str, Any] | None = None,
        error: ExecutionError | None = None,
    ) -> ExecutionOutcome:
        workflow.upsert_search_attributes([EXECUTION_STATUS.value_set(status)])
        return ExecutionOutcome(
            execution_id=self._request.execution_id,
            status=status,
            intent=self._request.intent,
            attempts=attempts,
            result=result,
            error=error,
        )

    async def _emit(self, event: ExecutionEvent) -> None:
        """Publish to this execution's stream and, in order, to the observing session."""
        event.turn_id = self._request.turn_id
        self._events.publish(event)
        observer = self._request.observer_workflow_id
        if observer:
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
