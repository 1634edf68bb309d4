"""How an execution's end becomes the turn's terminal event and status."""

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError, CancelledError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from models.events import (
        ExecutionCancelled,
        ExecutionCompleted,
        ExecutionError,
        ExecutionFailed,
        StreamEvent,
        TurnStatus,
    )
    from models.execution import ExecutionOutcome
    from models.intents import Intent


def outcome_of(err: ChildWorkflowError, execution_id: str, intent: Intent) -> ExecutionOutcome:
    """A failed or cancelled execution's outcome, from how its workflow ended."""
    cause = err.cause
    if isinstance(cause, CancelledError):
        return ExecutionOutcome(
            execution_id=execution_id, status="cancelled", intent=intent, attempts=0
        )
    if isinstance(cause, ApplicationError) and cause.details:
        return ExecutionOutcome.model_validate(cause.details[0])
    return ExecutionOutcome(
        execution_id=execution_id,
        status="failed",
        intent=intent,
        attempts=0,
        error=ExecutionError(type="runtime_fault", message=str(cause or err), retryable=True),
    )


def outcome_event(outcome: ExecutionOutcome, turn_id: str, now: datetime) -> StreamEvent:
    """The session's terminal event of an execution, from the child's outcome."""
    if outcome.status == "completed":
        return ExecutionCompleted(
            ts=now, turn_id=turn_id, execution_id=outcome.execution_id, result=outcome.result or {}
        )
    if outcome.status == "cancelled":
        return ExecutionCancelled(ts=now, turn_id=turn_id, execution_id=outcome.execution_id)
    return ExecutionFailed(
        ts=now,
        turn_id=turn_id,
        execution_id=outcome.execution_id,
        error=outcome.error
        or ExecutionError(type="runtime_fault", message="the execution failed", retryable=True),
        attempts=outcome.attempts,
    )


def turn_status(statuses: list[TurnStatus]) -> TurnStatus:
    """A turn of several intents failed if one did, else waits for input if one does."""
    if "failed" in statuses:
        return "failed"
    if "needs_input" in statuses:
        return "needs_input"
    return "completed"
