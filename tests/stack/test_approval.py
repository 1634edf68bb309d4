"""Approval before execution: the turn waits durably for `intent.approve`/`intent.reject`."""

import asyncio
import signal

from temporalio.client import Client

import launcher
from tests.client import Api, Conn, Event, extra_api


def _pending(conn: Conn) -> Event:
    return conn.until(lambda e: e["type"] == "intent.pending_approval")


def _session(conn: Conn) -> str:
    conn.turn("Upload a file")
    return str(conn.ready["session_id"])


def _gated(api: Api, conn: Conn) -> tuple[str, Event]:
    """A session whose turn now waits for approval of `test_gated`: its id, the request."""
    session_id = _session(conn)
    api.start("test_gated", {}, session_id)
    return session_id, _pending(conn)


def _turn_end(conn: Conn, pending: Event) -> Event:
    """The `turn.completed` of the turn that waits on `pending`."""
    return conn.until(
        lambda e: e["type"] == "turn.completed" and e["turn_id"] == pending["turn_id"]
    )


def _created(conn: Conn, pending: Event) -> list[Event]:
    """Intents created by the turn that waited on `pending`."""
    return [
        e
        for e in conn.events
        if e["type"] == "intent.created" and e["turn_id"] == pending["turn_id"]
    ]


def test_an_intent_the_catalog_gates_runs_once_approved(api: Api, stack: launcher.Stack) -> None:
    with api.socket() as conn:
        session_id, pending = _gated(api, conn)
        assert pending["intent"] == {
            "name": "test_gated",
            "realm": "content",
            "params": {"reason": "the input is bad"},
        }
        assert "approval" in str(pending["reason"])
    with api.socket(session_id=session_id, after=pending["offset"]) as later:
        later.send({"type": "intent.approve", "turn_id": pending["turn_id"]})
        later.until(lambda e: e["type"] == "execution.completed")
        end = later.until(lambda e: e["type"] == "turn.completed")
    assert end["status"] == "completed"
    assert [e["type"] for e in later.events][:2] == ["intent.created", "execution.started"]
    markers = asyncio.run(_local_activity_markers(stack, f"session-{session_id}"))
    assert markers, "the session ran its agents as local activities"
    assert not [m for m in markers if b"runtime.validate" in m], (
        "asked the Runtime, not the catalog"
    )


async def _local_activity_markers(stack: launcher.Stack, workflow_id: str) -> list[bytes]:
    """The recorded payloads of every local activity the workflow ran."""
    client = await Client.connect(stack.temporal_address)
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [
        payload.data
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
        for details in event.marker_recorded_event_attributes.details.values()
        for payload in details.payloads
    ]


def test_a_rejected_intent_never_runs(api: Api) -> None:
    with api.socket() as conn:
        _, pending = _gated(api, conn)
        conn.send({"type": "intent.reject", "turn_id": pending["turn_id"], "reason": "not now"})
        rejected = conn.until(lambda e: e["type"] == "intent.rejected")
        end = _turn_end(conn, pending)
    assert rejected["reason"] == "not now"
    assert end["status"] == "completed"
    assert not _created(conn, pending)


def test_a_session_can_ask_to_approve_everything(api: Api) -> None:
    ref = api.upload("s.csv", b"a,b\n1,2\n")
    with api.socket(approve="all") as conn:
        conn.message("Upload a file", [ref["file_id"]])
        pending = _pending(conn)
        assert pending["intent"]["name"] == "ingest_file"
        conn.send({"type": "intent.approve", "turn_id": pending["turn_id"]})
        end = conn.until(lambda e: e["type"] == "turn.completed")
    assert end["status"] == "completed"


def test_a_decision_for_a_turn_that_is_not_waiting_is_an_error(api: Api) -> None:
    with api.socket() as conn:
        _session(conn)
        conn.send({"type": "intent.approve", "turn_id": "f" * 32})
        assert conn.error()["code"] == "invalid_frame"


def test_an_unanswered_approval_times_out_as_needs_input(stack: launcher.Stack) -> None:
    with extra_api(stack, {"SYMPHAINY_APPROVAL_TIMEOUT_SECONDS": "1"}) as api:
        with api.socket() as conn:
            _, pending = _gated(api, conn)
            end = _turn_end(conn, pending)
        assert end["status"] == "needs_input"
        assert not _created(conn, pending)


def test_a_pending_approval_survives_api_and_worker_restarts(
    api: Api, stack: launcher.Stack
) -> None:
    with extra_api(stack, {}) as doomed, doomed.socket() as conn:
        session_id, pending = _gated(doomed, conn)
        for name in (f"api-{doomed.base.rsplit(':', 1)[1]}", "worker0"):
            stack.processes[name].send_signal(signal.SIGKILL)
            stack.processes[name].wait()
    launcher.start_worker(stack, "worker0")
    with api.socket(session_id=session_id, after=pending["offset"]) as later:
        later.send({"type": "intent.approve", "turn_id": pending["turn_id"]})
        end = later.until(lambda e: e["type"] == "turn.completed", timeout=60)
    assert end["status"] == "completed"
    assert [e["type"] for e in later.events][:2] == ["intent.created", "execution.started"]


def test_a_message_sent_while_an_approval_waits_is_accepted_at_once(api: Api) -> None:
    with api.socket() as conn:
        _, pending = _gated(api, conn)
        message_id = conn.message("hello")
        accepted = conn.until(lambda e: e.get("message_id") == message_id)
        conn.send({"type": "intent.approve", "turn_id": pending["turn_id"]})
        conn.until(lambda e: e["type"] == "turn.completed" and e["turn_id"] == accepted["turn_id"])
    assert accepted["type"] == "message.accepted"
