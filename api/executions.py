"""The API's view of the Runtime: start, inspect, cancel and retry executions.

A retry is a new execution with its own id, linked to the one it retries by
`retry_of`: each execution's history stays the immutable record of what happened.
"""

import uuid
from functools import partial

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.catalog import Catalog
from api.availability import patiently
from api.conversations import Conversations, NotOwner
from models.conversation import IntentRequest
from models.execution import RETRYABLE, ExecutionInput, ExecutionView
from models.intents import Intent
from models.search import execution_search_attributes, execution_workflow_id
from telemetry.tracing import carrier
from workflows.execution import IntentExecution

CHAIN_LIMIT = 20


class UnknownExecution(LookupError):
    """No such execution for this caller (a stranger's execution is unknown too)."""


class UnknownSession(LookupError):
    """No such session for this caller."""


class ExecutionConflict(Exception):
    """The execution's state forbids the request (e.g. cancel of a finished one)."""


class Executions:
    """Typed calls on `IntentExecution` workflows, with ownership checked first."""

    def __init__(
        self,
        client: Client,
        task_queue: str,
        catalog: Catalog,
        conversations: Conversations,
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._catalog = catalog
        self._conversations = conversations

    async def view(self, execution_id: str, user_id: str) -> ExecutionView:
        """The caller's execution as it is now."""
        handle = self._client.get_workflow_handle(execution_workflow_id(execution_id))
        try:
            view = await patiently(self._client, lambda: handle.query(IntentExecution.view))
        except RPCError as err:
            if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                raise UnknownExecution(execution_id) from err
            raise
        if view.user_id != user_id:
            raise UnknownExecution(execution_id)
        return view

    async def chain(self, view: ExecutionView, user_id: str) -> list[ExecutionView]:
        """The executions this one retried, newest first, back to the original."""
        chain = [view]
        while chain[-1].retry_of and len(chain) < CHAIN_LIMIT:
            chain.append(await self.view(chain[-1].retry_of, user_id))
        return chain

    async def start(self, intent: Intent, user_id: str, session_id: str | None) -> str:
        """Run an intent without an agent; in a session it runs as that session's turn."""
        validated = self._catalog.validate(intent)
        intent = Intent(name=validated.name, realm=validated.realm, params=validated.params)
        if session_id is not None:
            request = IntentRequest(intent=intent, needs_approval=validated.needs_approval)
            return await self._in_session(session_id, user_id, request)
        return await self._start_direct(intent, user_id, retry_of=None)

    async def cancel(self, execution_id: str, user_id: str, session_id: str | None = None) -> None:
        """Ask a running execution to stop; its stream then shows `execution.cancelled`."""
        view = await self._checked(execution_id, user_id, session_id)
        if view.status not in ("validating", "running"):
            raise ExecutionConflict(f"execution {execution_id} is already {view.status}")
        handle = self._client.get_workflow_handle(execution_workflow_id(execution_id))
        await patiently(self._client, handle.cancel)

    async def retry(self, execution_id: str, user_id: str, session_id: str | None = None) -> str:
        """Run a failed or cancelled execution's intent again, as a new linked execution."""
        view = await self._checked(execution_id, user_id, session_id)
        if view.status not in RETRYABLE:
            raise ExecutionConflict(
                f"execution {execution_id} is {view.status}; only failed or cancelled ones retry"
            )
        if view.session_id is not None:
            request = IntentRequest(intent=view.intent, retry_of=execution_id)
            return await self._in_session(view.session_id, user_id, request)
        return await self._start_direct(view.intent, user_id, retry_of=execution_id)

    async def _start_direct(self, intent: Intent, user_id: str, retry_of: str | None) -> str:
        """A top-level execution: no session observes it. Repeating the start is safe
        (an earlier try that did start it is used), so a transient fault is retried."""
        execution_id = uuid.uuid4().hex
        start = partial(
            self._client.start_workflow,
            IntentExecution.run,
            ExecutionInput(
                execution_id=execution_id, intent=intent, user_id=user_id, retry_of=retry_of
            ),
            id=execution_workflow_id(execution_id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self._task_queue,
            search_attributes=execution_search_attributes(intent, user_id),
            static_summary=f"{intent.name}" + (f": retry of {retry_of}" if retry_of else ""),
        )
        await patiently(self._client, start)
        return execution_id

    async def _checked(
        self, execution_id: str, user_id: str, session_id: str | None
    ) -> ExecutionView:
        view = await self.view(execution_id, user_id)
        if session_id is not None and view.session_id != session_id:
            raise UnknownExecution(execution_id)
        return view

    async def _in_session(self, session_id: str, user_id: str, request: IntentRequest) -> str:
        info = await self._conversations.info(session_id)
        if info is None or info.user_id != user_id:
            raise UnknownSession(session_id)
        request = request.model_copy(update={"trace": carrier()})
        try:
            accepted = await self._conversations.run_intent(session_id, user_id, request)
        except NotOwner as err:
            raise UnknownSession(session_id) from err
        except WorkflowUpdateFailedError as err:
            raise UnknownExecution(str(err.cause or err)) from err
        return accepted.execution_id
