"""What a client's frames ask of its session: a message, a decision, a retry or a cancel.

The socket (`api/transport.py`) reads, checks and rate-limits the frames; the handlers
here turn each into a call on the session's workflow or on an execution, and a request
the session refuses into the `FrameError` the socket answers with.
"""

import logging
from dataclasses import dataclass

from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.availability import TemporalUnavailable
from api.conversations import Conversations, NotOwner, SessionEnded
from api.executions import ExecutionConflict, Executions, UnknownExecution, UnknownSession
from api.frames import (
    ClientFrame,
    ExecutionCancelFrame,
    ExecutionRetryFrame,
    FrameError,
    IntentApproveFrame,
    IntentRejectFrame,
    PingFrame,
    UserMessageFrame,
)
from api.limits import RateLimited, UserCaps
from api.wire import PONG
from models.conversation import Accepted, Decision, UserMessage
from settings import Settings
from storage.files import FileStore, UnknownFile
from telemetry.tracing import carrier

log = logging.getLogger(__name__)


class NotRecorded(Exception):
    """A message the session could not record, for a reason the client cannot fix."""


@dataclass(frozen=True)
class Services:
    """What the commands of every socket of this process call."""

    settings: Settings
    conversations: Conversations
    executions: Executions
    store: FileStore
    caps: UserCaps


class SessionCommands:
    """One socket's requests on its session, on behalf of the socket's user."""

    def __init__(
        self, services: Services, *, user_id: str, session_id: str, approve_all: bool
    ) -> None:
        self._services = services
        self._user_id = user_id
        self._session_id = session_id
        self._approve_all = approve_all

    async def handle(self, frame: ClientFrame, *, joined: bool) -> str | Accepted | None:
        """A control frame to send back (a pong), the accepted message, or nothing.

        `joined`: the socket already follows the session's stream, so the session exists
        (a message on a socket that does not follow it yet may start the session).
        """
        if isinstance(frame, PingFrame):
            return PONG
        if isinstance(frame, UserMessageFrame):
            return await self._message(frame, joined=joined)
        if isinstance(frame, ExecutionRetryFrame | ExecutionCancelFrame):
            await self._control(frame)
        elif isinstance(frame, IntentApproveFrame | IntentRejectFrame):
            await self._decide(frame)
        return None

    async def _decide(self, frame: IntentApproveFrame | IntentRejectFrame) -> None:
        """Pass the user's decision to the turn that waits on it."""
        decision = Decision(
            turn_id=frame.turn_id,
            approve=isinstance(frame, IntentApproveFrame),
            reason=frame.reason if isinstance(frame, IntentRejectFrame) else None,
        )
        try:
            await self._services.conversations.decide(self._session_id, self._user_id, decision)
        except (WorkflowUpdateFailedError, RPCError) as err:
            raise FrameError(
                "invalid_frame", f"turn {frame.turn_id} is not waiting for approval"
            ) from err

    async def _control(self, frame: ExecutionRetryFrame | ExecutionCancelFrame) -> None:
        """Retry or cancel an execution of this session; the stream shows what follows."""
        execution_id = frame.execution_id
        executions = self._services.executions
        try:
            if isinstance(frame, ExecutionRetryFrame):
                await self._within_execution_caps()
                await executions.retry(execution_id, self._user_id, self._session_id)
            else:
                await executions.cancel(execution_id, self._user_id, self._session_id)
        except (UnknownExecution, UnknownSession) as err:
            raise FrameError(
                "unknown_execution", f"execution {execution_id} is not in this session"
            ) from err
        except ExecutionConflict as err:
            raise FrameError("conflict", str(err)) from err

    async def _message(self, frame: UserMessageFrame, *, joined: bool) -> Accepted:
        """Submit in the order frames arrive; the stream carries the answer."""
        services = self._services
        if len(frame.file_ids) > services.settings.max_file_ids:
            raise FrameError("invalid_frame", "too many file_ids", frame.message_id)
        try:
            files = [services.store.get(self._user_id, file_id) for file_id in frame.file_ids]
        except UnknownFile as err:
            raise FrameError("unknown_file", f"unknown file {err}", frame.message_id) from err
        message = UserMessage(
            message_id=frame.message_id,
            text=frame.text,
            files=files,
            approve_all=self._approve_all,
            trace=carrier(),
        )
        if not joined:
            await self._within_caps(frame.message_id)
        try:
            return await services.conversations.submit(
                self._session_id, self._user_id, message, exists=joined
            )
        except WorkflowUpdateFailedError as err:
            raise FrameError("invalid_frame", str(err.cause or err), frame.message_id) from err
        except (NotOwner, TemporalUnavailable, SessionEnded):
            raise
        except Exception as err:
            log.exception("submit failed", extra={"session_id": self._session_id})
            raise NotRecorded(self._session_id) from err

    async def _within_execution_caps(self) -> None:
        """A retry starts an execution: the user's execution caps, as over REST."""
        try:
            await self._services.caps.new_execution(self._user_id)
        except RateLimited as err:
            raise FrameError("rate_limited", str(err)) from err

    async def _within_caps(self, message_id: str) -> None:
        """A message that would start a session: the user's session caps first."""
        try:
            await self._services.caps.new_session(self._user_id)
        except RateLimited as err:
            raise FrameError("rate_limited", str(err), message_id) from err
