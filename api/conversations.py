"""The API's view of sessions: typed calls on the conversation workflow.

A session belongs to the user whose first message started it (update-with-start: the
start and the first Update are one atomic request). Every Update names its sender and
the workflow's validator refuses anyone else (`NotOwner`). A session that ended after
being idle is started again from its carried state when its owner sends something.
"""

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.availability import patiently, reachable
from models.conversation import (
    NOT_OWNER,
    Accepted,
    ConversationInput,
    Decision,
    IntentAccepted,
    IntentRequest,
    SessionInfo,
    UserMessage,
)
from models.search import session_search_attributes, session_workflow_id
from workflows.conversation import Conversation

log = logging.getLogger(__name__)
SUBMIT_PATIENCE = 30.0
"""Seconds a message may take to be recorded under load before the socket gives up."""
T = TypeVar("T")


class NotOwner(Exception):
    """The session belongs to another user: nothing was recorded or started."""


class SessionEnded(Exception):
    """The session's last run failed or was terminated, so it cannot be resumed."""


class Conversations:
    """Starts, feeds and inspects session workflows."""

    def __init__(
        self,
        client: Client,
        task_queue: str,
        *,
        history_bound: int,
        approval_timeout: float,
        idle_seconds: float | None = None,
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._history_bound = history_bound
        self._approval_timeout = approval_timeout
        self._idle_seconds = idle_seconds

    async def reachable(self) -> bool:
        """Temporal answers right now (a new socket is refused with 1013 otherwise)."""
        return await reachable(self._client)

    async def info(self, session_id: str) -> SessionInfo | None:
        """The session, or None when it has no workflow yet (no message was ever sent).

        An ended session still answers (Temporal replays its last run for the query).
        """
        try:
            return await patiently(
                self._client, lambda: self._handle(session_id).query(Conversation.info)
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise

    async def submit(
        self, session_id: str, user_id: str, message: UserMessage, *, exists: bool = False
    ) -> Accepted:
        """Record a message, retrying while the server is only slow or busy.

        Safe to repeat: the update id is derived from `message_id`, so however many
        tries reach the workflow, they make one turn. `NotOwner` if it is not the
        caller's session.
        """
        message = message.model_copy(update={"user_id": user_id})
        return await self._owned(
            lambda: patiently(
                self._client,
                lambda: self._submit_once(session_id, user_id, message, exists=exists),
                SUBMIT_PATIENCE,
            )
        )

    async def run_intent(
        self, session_id: str, user_id: str, request: IntentRequest
    ) -> IntentAccepted:
        """Queue an intent as a turn of the caller's session (resumed if it ended)."""
        request = request.model_copy(update={"user_id": user_id})
        return await self._owned(
            lambda: self._update(
                session_id, user_id, lambda h: h.execute_update(Conversation.run_intent, request)
            )
        )

    async def decide(self, session_id: str, user_id: str, decision: Decision) -> None:
        """Approve or reject the intent a turn waits on (refused if none waits); a try
        repeated after a transient fault is the same Update, applied once."""
        decision = decision.model_copy(update={"user_id": user_id})
        update_id = f"decide-{uuid.uuid4().hex}"
        await self._owned(
            lambda: patiently(
                self._client,
                lambda: self._handle(session_id).execute_update(
                    Conversation.decide, decision, id=update_id
                ),
            )
        )

    async def _owned(self, call: Callable[[], Awaitable[T]]) -> T:
        """`NotOwner` when the session's validator refused the caller."""
        try:
            return await call()
        except WorkflowUpdateFailedError as err:
            if getattr(err.cause, "type", None) == NOT_OWNER:
                raise NotOwner(str(err.cause)) from err
            raise

    async def _submit_once(
        self, session_id: str, user_id: str, message: UserMessage, *, exists: bool
    ) -> Accepted:
        """The first message starts the session and binds it to its sender in one
        request (update-with-start); a session known to exist gets a plain Update."""
        update_id = f"msg-{message.message_id}"

        def send(handle: WorkflowHandle[Conversation, ConversationInput]) -> Awaitable[Accepted]:
            return handle.execute_update(Conversation.submit, message, id=update_id)

        if exists:
            return await self._update(session_id, user_id, send)
        try:
            return await self._client.execute_update_with_start_workflow(
                Conversation.submit,
                message,
                id=update_id,
                start_workflow_operation=self._first_start(session_id, user_id),
            )
        except WorkflowAlreadyStartedError:
            return await self._update(session_id, user_id, send)

    async def _update(
        self,
        session_id: str,
        user_id: str,
        send: Callable[[WorkflowHandle[Conversation, ConversationInput]], Awaitable[T]],
    ) -> T:
        """An Update on the session; if its last run ended idle, resume it first."""
        try:
            return await send(self._handle(session_id))
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
        await self._resume(session_id, user_id)
        return await send(self._handle(session_id))

    async def _resume(self, session_id: str, user_id: str) -> None:
        """Start the next run of an ended session from what its last run carried.

        Only for its owner; concurrent resumes meet in one run (USE_EXISTING).
        """
        try:
            carried = await self._handle(session_id).result(follow_runs=False)
        except WorkflowFailureError as err:
            raise SessionEnded(session_id) from err
        if carried.user_id != user_id:
            raise NotOwner("this session belongs to another user")
        log.info("resuming an idle session", extra={"session_id": session_id})
        await self._client.start_workflow(
            Conversation.run,
            carried,
            id=session_workflow_id(session_id),
            task_queue=self._task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=session_search_attributes(session_id, user_id),
            static_summary=_summary(session_id, user_id),
        )

    def _first_start(
        self, session_id: str, user_id: str
    ) -> WithStartWorkflowOperation[Conversation, ConversationInput]:
        """Starts a brand-new session only: an ended one (reuse rejected) is resumed
        from its state instead, never restarted empty, and never for someone else."""
        return WithStartWorkflowOperation(
            Conversation.run,
            ConversationInput(
                session_id=session_id,
                user_id=user_id,
                history_bound=self._history_bound,
                approval_timeout_seconds=self._approval_timeout,
                idle_seconds=self._idle_seconds,
            ),
            id=session_workflow_id(session_id),
            task_queue=self._task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=session_search_attributes(session_id, user_id),
            static_summary=_summary(session_id, user_id),
        )

    def _handle(self, session_id: str) -> WorkflowHandle[Conversation, ConversationInput]:
        return self._client.get_workflow_handle_for(
            Conversation.run, session_workflow_id(session_id)
        )


def _summary(session_id: str, user_id: str) -> str:
    return f"Conversation {session_id} of {user_id}"
