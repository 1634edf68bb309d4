"""The API's view of sessions: typed calls on the conversation workflow."""

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from models.conversation import (
    Accepted,
    ConversationInput,
    Decision,
    IntentAccepted,
    IntentRequest,
    SessionInfo,
    UserMessage,
)
from models.search import SESSION_ID, USER_ID, session_workflow_id
from workflows.conversation import Conversation


class Conversations:
    """Starts, feeds and inspects session workflows."""

    def __init__(
        self, client: Client, task_queue: str, *, history_bound: int, approval_timeout: float
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._history_bound = history_bound
        self._approval_timeout = approval_timeout

    async def info(self, session_id: str) -> SessionInfo | None:
        """The session, or None when it has no workflow yet (no message was ever sent)."""
        handle = self._client.get_workflow_handle(session_workflow_id(session_id))
        try:
            return await handle.query(Conversation.info)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise

    async def submit(self, session_id: str, user_id: str, message: UserMessage) -> Accepted:
        """Record a message; the first one starts the session (update-with-start).

        The update id is derived from `message_id`, so a resent message is one turn.
        """
        start = WithStartWorkflowOperation(
            Conversation.run,
            ConversationInput(
                session_id=session_id,
                user_id=user_id,
                history_bound=self._history_bound,
                approval_timeout_seconds=self._approval_timeout,
            ),
            id=session_workflow_id(session_id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self._task_queue,
            search_attributes=TypedSearchAttributes(
                [SearchAttributePair(SESSION_ID, session_id), SearchAttributePair(USER_ID, user_id)]
            ),
            static_summary=f"Conversation {session_id} of {user_id}",
        )
        return await self._client.execute_update_with_start_workflow(
            Conversation.submit,
            message,
            id=f"msg-{message.message_id}",
            start_workflow_operation=start,
        )

    async def run_intent(self, session_id: str, request: IntentRequest) -> IntentAccepted:
        """Queue an intent as a turn of an existing session."""
        handle = self._client.get_workflow_handle(session_workflow_id(session_id))
        return await handle.execute_update(Conversation.run_intent, request)

    async def decide(self, session_id: str, decision: Decision) -> None:
        """Approve or reject the intent a turn waits on (refused if none waits)."""
        handle = self._client.get_workflow_handle(session_workflow_id(session_id))
        await handle.execute_update(Conversation.decide, decision)
