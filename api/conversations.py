"""The API's view of sessions: typed calls on the conversation workflow."""

import asyncio
import logging
import time

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
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

log = logging.getLogger(__name__)
SUBMIT_PATIENCE = 30.0
"""Seconds a message may take to be recorded under load before the socket gives up (1011)."""


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

    async def submit(
        self, session_id: str, user_id: str, message: UserMessage, *, exists: bool = False
    ) -> Accepted:
        """Record a message, retrying while the server is only slow or busy.

        Safe to repeat: the update id is derived from `message_id`, so however many
        tries reach the workflow, they make one turn.
        """
        deadline = time.monotonic() + SUBMIT_PATIENCE
        while True:
            try:
                return await self._submit_once(session_id, user_id, message, exists=exists)
            except (WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as err:
                retryable = isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError) or (
                    err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.RESOURCE_EXHAUSTED)
                )
                if not retryable or time.monotonic() > deadline:
                    raise
                log.warning("submit retried", extra={"session_id": session_id})
                await asyncio.sleep(0.2)

    async def _submit_once(
        self, session_id: str, user_id: str, message: UserMessage, *, exists: bool
    ) -> Accepted:
        """The first message starts the session (update-with-start); a session known to
        exist gets a plain Update, a cheaper round trip."""
        update_id = f"msg-{message.message_id}"
        if exists:
            handle = self._client.get_workflow_handle(session_workflow_id(session_id))
            try:
                return await handle.execute_update(Conversation.submit, message, id=update_id)
            except RPCError as err:
                if err.status != RPCStatusCode.NOT_FOUND:
                    raise
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
            id=update_id,
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
