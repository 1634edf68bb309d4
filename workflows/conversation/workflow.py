"""Experience Plane: one durable conversation per session.

A user message becomes a turn: the Guide Agent analyzes it, a liaison or the
Collaboration Router may turn it into intents, and each intent runs as a child
`IntentExecution` in the Runtime. Every step is published to the session's stream.
"""

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError
from temporalio.workflow import ChildWorkflowHandle, ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from temporalio.contrib.workflow_streams import WorkflowStream, WorkflowStreamState

    from activities.agents.activities import AgentActivities
    from activities.agents.analyzer import GUIDE
    from models.agents import (
        Analysis,
        CollaborationInput,
        LastExecution,
        LiaisonInput,
        Recommendation,
        ReplyTo,
        Route,
        SummaryInput,
        TurnContext,
    )
    from models.conversation import (
        NOT_OWNER,
        Accepted,
        ConversationInput,
        ConversationState,
        Decision,
        IntentAccepted,
        IntentRequest,
        PendingTurn,
        SessionInfo,
        UserMessage,
    )
    from models.events import (
        ExecutionStarted,
        IntentCreated,
        IntentRejected,
        MessageAccepted,
        TurnCompleted,
        TurnStatus,
    )
    from models.execution import (
        EXECUTION_EVENT_SIGNAL,
        ExecutionEventSignal,
        ExecutionInput,
        ExecutionOutcome,
    )
    from models.intents import Intent
    from models.search import (
        EXECUTION_WORKFLOW,
        execution_search_attributes,
        execution_workflow_id,
    )
    from telemetry.tracing import resumed
    from workflows.conversation.agents import run_agent
    from workflows.conversation.approval import Approval
    from workflows.conversation.events import agent_message, analysis_event, apology
    from workflows.conversation.message_ids import claim
    from workflows.conversation.outcomes import outcome_event, outcome_of, turn_status
    from workflows.conversation.stream import HeldStream

REMEMBERED_EXECUTIONS = 1_000
ACCEPT_BEFORE_AGENTS = "accept-before-agents"
"""Patch: `message.accepted` is published at once, and a turn that starts in the
workflow task that recorded its message runs its agents in a later task, so the
`submit` Update returns before any agent runs; a turn's events stay held across the
child execution's start. Runs recorded before it replay the old commands."""
ACCEPTANCE_FALLBACK = timedelta(milliseconds=500)
"""How long a fresh turn waits for the next workflow task before it makes one itself
(a timer): the API's stream poll, re-sent when `message.accepted` reaches it, normally
brings that task within one Update round trip."""
HOLD_THROUGH_EXECUTIONS = "hold-through-executions"
"""Patch: a turn's events stay held while its execution runs, until the execution ends or
first speaks (progress, a retry; work past a second always reports): an execution of a
few ms answers the stream's poll once, with the whole turn, instead of once at its start
and once more at its end (a poll answer and a re-poll's workflow task saved per turn)."""
IDLE_END_PATCH = "session-ends-when-idle"
"""Sessions started before idle sessions ended waited forever without a timer."""


@workflow.defn(sandboxed=False)
class Conversation:
    """A session: turns run one at a time, in the order their messages arrived.

    Update `submit`: records a message as a turn (idempotent on `message_id`).
    Update `run_intent`: queues an intent as a turn (REST with a session, a retry).
    Update `decide`: approves or rejects the intent a turn is waiting on.
    Signal `execution_event`: an execution of this session reports progress.
    Query `info`: owner, counts, files and executions of the session.
    Stream (workflow_streams): the session's numbered events, topic `events`.

    The session belongs to the user in its start input: every Update names its sender
    and its validator refuses anyone else, so a stranger's message starts nothing. After
    `idle_seconds` without a turn the run ends and returns its carried state: the API
    starts the next run from it when the owner comes back (same id, same stream).

    Not sandboxed, for the worker's CPU (README "How a turn runs": No sandbox); the
    determinism scan in the unit layer stands in for the sandbox's checks.
    """

    @workflow.init
    def __init__(self, start: ConversationInput) -> None:
        self._state = start.state or ConversationState(
            session_id=start.session_id,
            user_id=start.user_id,
            history_bound=start.history_bound,
            approval_timeout_seconds=start.approval_timeout_seconds,
            idle_seconds=start.idle_seconds,
        )
        self._log = WorkflowStream(start.stream_state)
        """The stream itself: `_stream` publishes through it; continue-as-new and the
        idle end hand it over whole."""
        self._stream = HeldStream(self._log, self._state)
        self._active_at = workflow.now()
        """When the last turn ended (or this run began): the idle clock starts there."""
        self._approval = Approval(self._stream, self._state)
        self._busy = False
        """A turn or a continue-as-new is under way; an idle run loop starts a turn at once."""
        self._recorded_in: dict[str, int] = {}
        """The workflow task (by history length) each queued message was recorded in."""
        self._heard = False
        """An execution signalled since the turn began waiting on its own (see `_outcome`)."""

    @workflow.run
    async def run(self, start: ConversationInput) -> ConversationInput:
        idle = self._idle_limit()
        ticker = asyncio.create_task(self._tick(idle)) if idle is not None else None
        while True:
            await workflow.wait_condition(
                lambda: bool(self._state.queue) or self._history_is_long() or self._idle(idle)
            )
            if self._history_is_long():
                await self._continue_as_new()
            if not self._state.queue:
                if ticker is not None:
                    ticker.cancel()
                return await self._end()
            await self._run_turn(self._state.queue.pop(0))

    @workflow.update
    async def submit(self, message: UserMessage) -> Accepted:
        """Record the message durably; the run loop answers it in order."""
        turn_id, duplicate = claim(
            self._state.message_turns, message.message_id, lambda: workflow.uuid4().hex
        )
        if duplicate:
            return Accepted(turn_id=turn_id, duplicate=True)
        self._state.approve_all = self._state.approve_all or message.approve_all
        self._add_files(message)
        self._state.queue.append(PendingTurn(turn_id=turn_id, message=message))
        self._recorded_in[turn_id] = workflow.info().get_current_history_length()
        if not self._busy and not workflow.patched(ACCEPT_BEFORE_AGENTS):
            self._stream.hold()
        accepted = MessageAccepted(
            ts=workflow.now(), turn_id=turn_id, message_id=message.message_id
        )
        offset = self._stream.next_offset()
        self._stream.publish(accepted)
        return Accepted(turn_id=turn_id, event=accepted, offset=offset)

    @submit.validator
    def _from_owner(self, message: UserMessage) -> None:
        self._owner_only(message.user_id)

    @workflow.update
    async def run_intent(self, request: IntentRequest) -> IntentAccepted:
        """Queue an intent as a turn of its own (REST with a session, or a retry)."""
        turn_id = workflow.uuid4().hex
        execution_id = workflow.uuid4().hex
        self._state.queue.append(
            PendingTurn(turn_id=turn_id, intent=request, execution_id=execution_id)
        )
        return IntentAccepted(turn_id=turn_id, execution_id=execution_id)

    @run_intent.validator
    def _known_retry(self, request: IntentRequest) -> None:
        self._owner_only(request.user_id)
        if request.retry_of is not None and request.retry_of not in self._state.executions:
            raise ApplicationError(
                f"execution {request.retry_of} is not in this session", type="unknown_execution"
            )

    @workflow.update
    def decide(self, decision: Decision) -> None:
        """The user approves or rejects the intent a turn waits on."""
        self._approval.give(decision)

    @decide.validator
    def _waiting_turn(self, decision: Decision) -> None:
        self._owner_only(decision.user_id)
        self._approval.check(decision)

    def _owner_only(self, user_id: str | None) -> None:
        """Refuse, before anything is recorded, an Update from anyone but the owner."""
        if user_id != self._state.user_id:
            raise ApplicationError(
                "this session belongs to another user", type=NOT_OWNER, non_retryable=True
            )

    @workflow.signal(name=EXECUTION_EVENT_SIGNAL)
    def execution_event(self, signal: ExecutionEventSignal) -> None:
        """An execution of this session moved on: show it on the session's stream."""
        self._heard = True
        self._stream.publish(signal.event)

    @workflow.query
    def info(self) -> SessionInfo:
        """Who owns the session and what it holds."""
        return SessionInfo(
            session_id=self._state.session_id,
            user_id=self._state.user_id,
            turns=self._state.turns,
            queued=len(self._state.queue),
            executions=self._state.executions,
            files=self._state.files,
            offset=self._state.published,
        )

    async def _run_turn(self, turn: PendingTurn) -> None:
        """One turn, its events held while it only runs local activities (see `HeldStream`)."""
        self._state.turns += 1
        self._busy = True
        self._stream.hold()
        try:
            if turn.intent is not None and turn.execution_id is not None:
                with resumed(turn.intent.trace):
                    await self._run_intent_turn(turn.turn_id, turn.intent, turn.execution_id)
            elif turn.message is not None:
                await self._let_acceptance_out(turn.turn_id)
                with resumed(turn.message.trace):
                    await self._run_message_turn(turn.turn_id, turn.message)
        finally:
            self._busy = False
            self._active_at = workflow.now()
            self._stream.release()

    async def _let_acceptance_out(self, turn_id: str) -> None:
        """Run this turn's agents in a later workflow task than the one that recorded it.

        The agents are local activities, and a local activity keeps its workflow task
        open, and with it the `submit` Update's answer, until it is done. So a turn that
        starts in the task that recorded its message waits for the next task. That task
        comes from the API's stream poll: `message.accepted` (published at once, not
        held) answers the standing poll in the recording task, and the feed polls again
        straight away; an Update reaches the worker quicker than a timer (no task queue
        read from the database on the way). Should no poll come (no socket is
        following), a timer ends the wait. A turn that waited behind another one was
        answered long ago and goes straight on.
        """
        recorded_in = self._recorded_in.pop(turn_id, None)
        if recorded_in != workflow.info().get_current_history_length():
            return
        if not workflow.patched(ACCEPT_BEFORE_AGENTS):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: workflow.info().get_current_history_length() != recorded_in,
                timeout=ACCEPTANCE_FALLBACK,
                timeout_summary="the next workflow task, before the agents run",
            )

    async def _run_intent_turn(
        self, turn_id: str, request: IntentRequest, execution_id: str
    ) -> None:
        status = await self._carry_out(
            turn_id,
            GUIDE,
            request.intent,
            execution_id=execution_id,
            retry_of=request.retry_of,
            needs_approval=request.needs_approval,
        )
        self._stream.publish(TurnCompleted(ts=workflow.now(), turn_id=turn_id, status=status))

    async def _run_message_turn(self, turn_id: str, message: UserMessage) -> None:
        context = TurnContext(
            text=message.text,
            attached=message.files,
            session_files=self._state.files,
            pending_options=self._state.pending_options,
            active_pillar=self._state.active_pillar,
            last_execution=self._state.last_execution,
        )
        try:
            analysis = await run_agent(
                AgentActivities.analyze, context, "Guide Agent: analyze message"
            )
            self._stream.publish(analysis_event(analysis, turn_id, workflow.now()))
            self._state.pending_options = analysis.options
            self._state.active_pillar = analysis.pillar if analysis.route is Route.LIAISON else None
            focus = [ref for ref in self._state.files if ref.file_id in analysis.focus]
            plan = await self._plan(analysis, context.model_copy(update={"focus": focus}), turn_id)
        except ActivityError:
            workflow.logger.exception("agent analysis failed", extra={"turn_id": turn_id})
            self._say(turn_id, apology())
            self._stream.publish(TurnCompleted(ts=workflow.now(), turn_id=turn_id, status="failed"))
            return
        self._say(turn_id, plan)
        if not plan.intents:
            self._stream.publish(
                TurnCompleted(ts=workflow.now(), turn_id=turn_id, status="needs_input")
            )
            return
        statuses: list[TurnStatus] = [
            await self._carry_out(
                turn_id,
                plan.agent,
                i,
                execution_id=workflow.uuid4().hex,
                retry_of=plan.retry_of,
                needs_approval=None if plan.approvals is None else i.name in plan.approvals,
            )
            for i in plan.intents
        ]
        self._stream.publish(
            TurnCompleted(ts=workflow.now(), turn_id=turn_id, status=turn_status(statuses))
        )

    async def _plan(self, analysis: Analysis, context: TurnContext, turn_id: str) -> Recommendation:
        """Follow the guide's route to one recommendation. A lone liaison's words are the
        turn's reply, so it may stream them (`reply_to`: an activity input, not a command:
        local activities' inputs are not in history, so replay is unchanged)."""
        if analysis.route in (Route.DIRECT, Route.CLARIFY) or not analysis.pillars:
            return analysis.recommendation or apology()
        reply_to = (
            ReplyTo(session_id=self._state.session_id, turn_id=turn_id)
            if analysis.route is Route.LIAISON
            else None
        )
        views = await asyncio.gather(
            *(
                run_agent(
                    AgentActivities.recommend,
                    LiaisonInput(pillar=pillar, context=context, reply_to=reply_to),
                    f"{pillar.value.capitalize()} Liaison: recommend an intent",
                )
                for pillar in analysis.pillars
            )
        )
        if analysis.route is Route.LIAISON:
            return views[0]
        return await run_agent(
            AgentActivities.merge,
            CollaborationInput(context=context, views=list(views)),
            "Collaboration Router: merge the liaisons' views",
        )

    async def _carry_out(
        self,
        turn_id: str,
        agent: str,
        intent: Intent,
        *,
        execution_id: str,
        retry_of: str | None = None,
        needs_approval: bool | None = None,
    ) -> TurnStatus:
        """Hand one intent to the Runtime, then let the agent sum up what came of it."""
        if retry_of is None and await self._approval.needed(intent, needs_approval):
            decision = await self._approval.wait(turn_id, intent)
            if decision is None:
                return "needs_input"
            if not decision.approve:
                reason = decision.reason or "rejected by the user"
                self._stream.publish(
                    IntentRejected(ts=workflow.now(), turn_id=turn_id, reason=reason)
                )
                return "completed"
        outcome = await self._execute(turn_id, intent, execution_id, retry_of)
        try:
            summary = await run_agent(
                AgentActivities.summarize,
                SummaryInput(
                    agent=agent,
                    intent=intent,
                    status=outcome.status,
                    result=outcome.result,
                    error_message=outcome.error.message if outcome.error else None,
                ),
                f"{agent}: summarize {intent.name}",
            )
            self._say(turn_id, summary)
        except ActivityError:
            workflow.logger.exception("summary failed", extra={"turn_id": turn_id})
        return "completed" if outcome.status == "completed" else "failed"

    async def _execute(
        self, turn_id: str, intent: Intent, execution_id: str, retry_of: str | None
    ) -> ExecutionOutcome:
        self._state.executions.append(execution_id)
        del self._state.executions[:-REMEMBERED_EXECUTIONS]
        self._stream.publish(
            IntentCreated(
                ts=workflow.now(),
                turn_id=turn_id,
                execution_id=execution_id,
                intent=intent,
                retry_of=retry_of,
            )
        )
        request = ExecutionInput(
            execution_id=execution_id,
            intent=intent,
            user_id=self._state.user_id,
            session_id=self._state.session_id,
            turn_id=turn_id,
            observer_workflow_id=workflow.info().workflow_id,
            retry_of=retry_of,
        )
        starting = workflow.start_child_workflow(
            EXECUTION_WORKFLOW,
            request,
            result_type=ExecutionOutcome,
            id=execution_workflow_id(execution_id),
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=f"{intent.name} for session {self._state.session_id}",
            search_attributes=execution_search_attributes(
                intent, self._state.user_id, self._state.session_id
            ),
        )
        child: ChildWorkflowHandle[Any, ExecutionOutcome] = await (
            starting if workflow.patched(ACCEPT_BEFORE_AGENTS) else self._stream.outside(starting)
        )
        self._stream.publish(
            ExecutionStarted(
                ts=workflow.now(), turn_id=turn_id, execution_id=execution_id, attempt=1
            )
        )
        try:
            outcome = await self._outcome(child)
        except ChildWorkflowError as err:
            outcome = outcome_of(err, execution_id, intent)
        self._stream.publish(outcome_event(outcome, turn_id, workflow.now()))
        self._state.last_execution = LastExecution(
            execution_id=execution_id, intent=intent, status=outcome.status
        )
        return outcome

    async def _outcome(self, child: ChildWorkflowHandle[Any, ExecutionOutcome]) -> ExecutionOutcome:
        """The execution's outcome, the turn's events held until it ends or first speaks.

        Work past a second reports (the realm activity's relay), so a watcher sees a long
        execution's start within about a second; a short one's whole turn leaves at once.
        """
        if workflow.patched(HOLD_THROUGH_EXECUTIONS):
            self._heard = False
            await workflow.wait_condition(lambda: child.done() or self._heard)
            if child.done():
                return await child
        return await self._stream.outside(child)

    def _say(self, turn_id: str, recommendation: Recommendation) -> None:
        self._stream.publish(agent_message(recommendation, turn_id, workflow.now()))

    def _add_files(self, message: UserMessage) -> None:
        known = {ref.file_id for ref in self._state.files}
        self._state.files.extend(ref for ref in message.files if ref.file_id not in known)

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._state.history_bound
        )

    async def _continue_as_new(self) -> None:
        """Carry state, queue and the recent stream into a fresh run, between turns."""
        self._busy = True
        self._stream.release()
        self._stream.trim()
        await self._log.continue_as_new(lambda stream_state: [self._carried(stream_state)])

    def _carried(self, stream_state: WorkflowStreamState) -> ConversationInput:
        """What the next run starts from: the state, its queue and the recent stream."""
        state = self._state
        return ConversationInput(
            session_id=state.session_id,
            user_id=state.user_id,
            history_bound=state.history_bound,
            state=state,
            stream_state=stream_state,
        )

    def _idle_limit(self) -> timedelta | None:
        """The idle limit of this session (None for sessions started before it existed)."""
        seconds = self._state.idle_seconds
        if seconds is None or not workflow.patched(IDLE_END_PATCH):
            return None
        return timedelta(seconds=seconds)

    def _idle(self, limit: timedelta | None) -> bool:
        return limit is not None and not self._busy and workflow.now() - self._active_at >= limit

    async def _tick(self, limit: timedelta) -> None:
        """Wake the run loop when the idle limit may have passed: one timer per idle
        period, not one per turn (a turn's history stays as short as before)."""
        while True:
            left = self._active_at + limit - workflow.now()
            await workflow.sleep(left if left > timedelta(0) else limit, summary="idle limit")

    async def _end(self) -> ConversationInput:
        """Idle for too long: release the stream's pollers and return the carried state.

        Nothing is lost: the API starts the next run of this session from the result
        when its owner sends a message (same id, offsets and files). A message accepted
        while the pollers drained continues the session instead.
        """
        self._busy = True
        self._stream.release()
        self._stream.trim()
        self._log.detach_pollers()
        await workflow.wait_condition(workflow.all_handlers_finished)
        carried = self._carried(self._log.get_state())
        if self._state.queue:
            workflow.continue_as_new(carried)
        return carried
