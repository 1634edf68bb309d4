"""How a turn's execution reaches the stream: a short one leaves in one poll answer, a
long one shows its start while it runs."""

import asyncio
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

import launcher
from tests.client import Api

POLL = "__temporal_workflow_stream_poll"


def _history(address: str, workflow_id: str) -> list[HistoryEvent]:
    async def fetch() -> list[HistoryEvent]:
        client = await Client.connect(address)
        handle = client.get_workflow_handle(workflow_id)
        return [e async for e in handle.fetch_history_events()]

    return asyncio.run(fetch())


def _poll_answers_after(events: list[HistoryEvent], run_intent: int) -> int:
    """Stream poll answers from the `run_intent` Update's task on (the session's last turn)."""
    polls = {
        e.workflow_execution_update_accepted_event_attributes.protocol_instance_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        == POLL
    }
    return sum(
        e.workflow_execution_update_completed_event_attributes.meta.update_id in polls
        for e in events[run_intent:]
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
    )


def _run_intents(events: list[HistoryEvent]) -> list[int]:
    return [
        index
        for index, event in enumerate(events)
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        == "run_intent"
    ]


def test_a_short_execution_leaves_in_one_stream_answer(
    api: Api, stack: launcher.Stack, tmp_path: Path
) -> None:
    """The turn's events stay held across its execution: one poll answer carries them all
    (breaking it, releasing them at the child's start, answers twice)."""
    with api.socket() as conn:
        conn.turn("Upload a file")
        session_id = str(conn.ready["session_id"])
        execution_id = api.start(
            "test_parse", {"seconds": 0, "output": str(tmp_path / "out")}, session_id
        )
        conn.end_of(execution_id)
    events = _history(stack.temporal_address, f"session-{session_id}")
    assert _poll_answers_after(events, _run_intents(events)[-1]) == 1


def test_a_long_execution_shows_its_start_while_it_runs(api: Api, tmp_path: Path) -> None:
    """A handler that reports nothing still speaks after a second (`running`), and that
    releases the turn's events: the watcher sees the start before the end."""
    with api.socket() as conn:
        conn.turn("Upload a file")
        session_id = str(conn.ready["session_id"])
        execution_id = api.start(
            "test_parse", {"seconds": 3, "output": str(tmp_path / "out")}, session_id
        )
        conn.until(lambda e: e["type"] == "execution.started")
        assert api.execution(execution_id)["status"] == "running"
        progress = conn.until(lambda e: e["type"] == "execution.progress")
        assert progress["message"] == "running"
        conn.end_of(execution_id)
