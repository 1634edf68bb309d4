"""Approval before execution: whether an intent waits for the user, and the wait itself.

One turn at a time may wait: the `decide` Update's validator refuses a decision for any
other turn (`check`), so a late or stray decision is never recorded.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.agents.analyzer import GUIDE
    from models.agents import Recommendation
    from models.conversation import ConversationState, Decision
    from models.events import IntentPendingApproval
    from models.execution import ValidatedIntent
    from models.intents import Intent
    from workflows.conversation.agents import AGENT_RETRY, AGENT_TIMEOUT
    from workflows.conversation.events import agent_message
    from workflows.conversation.stream import HeldStream

APPROVAL_FROM_CATALOG = "approval-from-catalog"
"""Patch: whether an intent needs approval comes stamped from the catalog, not from the
Runtime's validate activity (so the Experience Plane's workers need no realm code)."""


class Approval:
    """The decision the session's current turn may be waiting on."""

    def __init__(self, stream: HeldStream, state: ConversationState) -> None:
        self._stream = stream
        self._state = state
        self._awaiting: str | None = None
        self._decision: Decision | None = None

    def check(self, decision: Decision) -> None:
        """Refuse a decision for a turn that is not waiting for one."""
        if self._awaiting is None or decision.turn_id != self._awaiting:
            raise ApplicationError(
                f"turn {decision.turn_id} is not waiting for approval", type="not_waiting"
            )

    def give(self, decision: Decision) -> None:
        """The user's decision, for the turn that waits on it."""
        self._decision = decision

    async def needed(self, intent: Intent, stamped: bool | None) -> bool:
        """Every intent when the session asked so, else as the intent catalog marks it.

        The catalog's word arrives stamped on the intent's request or plan; histories
        written before that asked the Runtime's validate activity, and replay so.
        """
        if self._state.approve_all:
            return True
        if stamped is not None and workflow.patched(APPROVAL_FROM_CATALOG):
            return stamped
        try:
            validated: ValidatedIntent = await workflow.execute_local_activity(
                "runtime.validate",
                intent,
                result_type=ValidatedIntent,
                start_to_close_timeout=AGENT_TIMEOUT,
                retry_policy=AGENT_RETRY,
                summary=f"Runtime: does {intent.name} need approval?",
            )
        except ActivityError:
            return False
        return validated.needs_approval

    async def wait(self, turn_id: str, intent: Intent) -> Decision | None:
        """Wait durably for the user's decision; None when it does not come in time."""
        reason = (
            "this session approves every intent before it runs"
            if self._state.approve_all
            else f"{intent.name} needs your approval before it runs"
        )
        self._stream.publish(
            IntentPendingApproval(ts=workflow.now(), turn_id=turn_id, intent=intent, reason=reason)
        )
        self._awaiting, self._decision = turn_id, None
        try:
            await self._stream.outside(
                workflow.wait_condition(
                    lambda: self._decision is not None,
                    timeout=timedelta(seconds=self._state.approval_timeout_seconds),
                    timeout_summary="waiting for the user's approval",
                )
            )
        except TimeoutError:
            self._stream.publish(agent_message(_not_approved(intent), turn_id, workflow.now()))
            return None
        finally:
            self._awaiting = None
        return self._decision


def _not_approved(intent: Intent) -> Recommendation:
    return Recommendation(
        agent=GUIDE,
        text=f"I didn't get an approval for {intent.name}, so nothing ran.",
        next_steps=["Ask again when you're ready"],
    )
