"""Retries, failures, user retry and cancel, the execution stream, and search attributes."""

import asyncio
import json
import subprocess
import time
from pathlib import Path

import pytest
from temporalio.client import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

import launcher
from tests.client import Api, Conn, Event


def _session(conn: Conn) -> str:
    """A session that exists (its workflow starts with the first message)."""
    conn.turn("Upload a file")
    return str(conn.ready["session_id"])


def _of(conn: Conn, execution_id: str) -> list[Event]:
    return [e for e in conn.events if e.get("execution_id") == execution_id]


def test_a_transient_fault_is_retried_and_each_attempt_is_shown(api: Api, tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.write_text("1")
    with api.socket() as conn:
        session_id = _session(conn)
        execution_id = api.start("test_flaky", {"control": str(control)}, session_id)
        conn.end_of(execution_id)
    events = _of(conn, execution_id)
    assert [(e["type"], e.get("attempt")) for e in events] == [
        ("intent.created", None),
        ("execution.started", 1),
        ("execution.started", 2),
        ("execution.completed", None),
    ]
    assert events[0]["temporal_ui_url"].endswith(f"/workflows/exec-{execution_id}")
    view = api.execution(execution_id)
    assert (view["status"], view["attempts"]) == ("completed", 2)


def test_bad_input_fails_once_without_retries(api: Api) -> None:
    execution_id = api.start("test_broken", {"reason": "column 'x' is missing"})
    view = api.wait_execution(execution_id)
    assert view["status"] == "failed"
    assert view["attempts"] == 1
    assert view["error"] == {
        "type": "bad_input",
        "message": "column 'x' is missing",
        "retryable": False,
    }
    assert view["temporal_ui_url"].endswith(f"exec-{execution_id}")


def test_a_failed_execution_retried_from_the_socket_completes(api: Api, tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.write_text("1")
    with api.socket() as conn:
        session_id = _session(conn)
        first = api.start("test_flaky", {"control": str(control), "permanent": True}, session_id)
        failed = conn.until(lambda e: e["type"] == "execution.failed")
        assert failed["execution_id"] == first
        assert failed["attempts"] == 1
        conn.send({"type": "execution.retry", "execution_id": first})
        created = conn.until(lambda e: e["type"] == "intent.created" and e.get("retry_of") == first)
        done = conn.until(lambda e: e["type"] == "execution.completed")
        conn.until(lambda e: e["type"] == "turn.completed" and e["turn_id"] == created["turn_id"])
    assert done["execution_id"] == created["execution_id"]
    chain = api.execution(created["execution_id"])["chain"]
    assert [(a["execution_id"], a["status"]) for a in chain] == [
        (created["execution_id"], "completed"),
        (first, "failed"),
    ]


def test_retry_over_rest_and_its_conflicts(api: Api, tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.write_text("1")
    first = api.start("test_flaky", {"control": str(control), "permanent": True})
    assert api.wait_execution(first)["status"] == "failed"
    response = api.http.post(f"/api/executions/{first}/retry")
    assert response.status_code == 202
    second = response.json()["execution_id"]
    assert api.wait_execution(second)["status"] == "completed"
    assert api.http.post(f"/api/executions/{second}/retry").status_code == 409
    assert api.http.post(f"/api/executions/{second}/cancel").status_code == 409
    assert api.http.post(f"/api/executions/{'0' * 32}/retry").status_code == 404


def test_cancel_stops_a_long_execution_and_leaves_nothing(api: Api, tmp_path: Path) -> None:
    output = tmp_path / "output"
    with api.socket() as conn:
        session_id = _session(conn)
        execution_id = api.start("test_slow", {"seconds": 30, "output": str(output)}, session_id)
        conn.until(lambda e: e["type"] == "execution.progress")
        conn.send({"type": "execution.cancel", "execution_id": execution_id})
        cancelled = conn.until(lambda e: e["type"] == "execution.cancelled")
        end = conn.until(
            lambda e: e["type"] == "turn.completed" and e["turn_id"] == cancelled["turn_id"]
        )
    assert end["status"] == "failed"
    assert not output.exists()
    assert not Path(str(output) + ".tmp").exists()
    assert api.execution(execution_id)["status"] == "cancelled"


def test_control_frames_for_unknown_executions_are_errors(api: Api) -> None:
    with api.socket() as conn:
        _session(conn)
        conn.send({"type": "execution.cancel", "execution_id": "0" * 32})
        assert conn.error()["code"] == "unknown_execution"
        other = api.start("test_broken", {})
        api.wait_execution(other)
        conn.send({"type": "execution.retry", "execution_id": other})
        assert conn.error()["code"] == "unknown_execution"


def test_rest_intents_are_validated_against_the_registry(api: Api) -> None:
    unknown = api.http.post("/api/runtime/intents", json={"name": "launch_rockets"})
    assert unknown.status_code == 404
    bad = api.http.post("/api/runtime/intents", json={"name": "profile_data", "params": {}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["file_ids"]
    stranger = api.http.post(
        "/api/runtime/intents",
        json={"name": "test_broken", "params": {}, "session_id": "0" * 32},
    )
    assert stranger.status_code == 404


def test_the_execution_stream_replays_then_closes(api: Api) -> None:
    execution_id = api.start("test_broken", {})
    api.wait_execution(execution_id)
    frames = []
    url = f"{api.ws_base}/api/execution/{execution_id}/stream"
    with connect(url) as ws, pytest.raises(ConnectionClosed) as closed:
        while True:
            frames.append(json.loads(ws.recv(timeout=10)))
    assert [f["type"] for f in frames] == ["execution.started", "execution.failed"]
    assert [f["offset"] for f in frames] == [1, 2]
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


def test_the_execution_stream_refuses_unknown_executions(api: Api) -> None:
    url = f"{api.ws_base}/api/execution/{'0' * 32}/stream"
    with connect(url) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_search_attributes_find_failed_executions_by_intent(
    api: Api, stack: launcher.Stack
) -> None:
    failed = api.start("test_broken", {})
    api.wait_execution(failed)

    async def find() -> list[str]:
        client = await Client.connect(stack.temporal_address)
        query = (
            'IntentStatus="failed" AND ExecutionStatus="Failed" '
            'AND Intent="test_broken" AND UserId="local"'
        )
        deadline = time.monotonic() + 20
        while True:
            ids = [w.id async for w in client.list_workflows(query)]
            if f"exec-{failed}" in ids or time.monotonic() > deadline:
                return ids
            await asyncio.sleep(0.2)

    ids = asyncio.run(find())
    assert f"exec-{failed}" in ids
    assert all(i.startswith("exec-") for i in ids)


def test_a_timed_out_execution_fails_as_timeout_and_the_turn_ends(api: Api, tmp_path: Path) -> None:
    with api.socket() as conn:
        session_id = _session(conn)
        execution_id = api.start(
            "test_hang", {"seconds": 30, "output": str(tmp_path / "out")}, session_id
        )
        failed = conn.until(lambda e: e["type"] == "execution.failed")
        end = conn.end_of(execution_id)
    assert failed["execution_id"] == execution_id
    assert failed["error"]["type"] == "timeout"
    assert failed["error"]["retryable"] is True
    assert end["status"] == "failed"


def test_a_reset_from_the_temporal_cli_streams_to_the_session(
    api: Api, stack: launcher.Stack, tmp_path: Path
) -> None:
    control = tmp_path / "control"
    control.write_text("1")
    with api.socket() as conn:
        session_id = _session(conn)
        execution_id = api.start(
            "test_flaky", {"control": str(control), "permanent": True}, session_id
        )
        conn.until(lambda e: e["type"] == "execution.failed")
        conn.end_of(execution_id)
        reset = subprocess.run(
            [
                str(launcher.TEMPORAL),
                "workflow",
                "reset",
                "--address",
                stack.temporal_address,
                "--workflow-id",
                f"exec-{execution_id}",
                "--type",
                "FirstWorkflowTask",
                "--reason",
                "retry from the CLI",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert reset.returncode == 0, reset.stderr
        done = conn.until(
            lambda e: e["type"] == "execution.completed" and e["execution_id"] == execution_id
        )
    assert done["turn_id"] == _of(conn, execution_id)[0]["turn_id"]
    assert api.execution(execution_id)["status"] == "completed"


def test_a_message_sent_while_an_execution_runs_is_accepted_at_once(
    api: Api, tmp_path: Path
) -> None:
    """A turn holds its events only while it runs local activities, never across a wait."""
    with api.socket() as conn:
        session_id = _session(conn)
        execution_id = api.start(
            "test_slow", {"seconds": 600, "output": str(tmp_path / "out")}, session_id
        )
        conn.until(lambda e: e["type"] == "execution.progress")
        message_id = conn.message("hello")
        turn_id = conn.until(lambda e: e.get("message_id") == message_id)["turn_id"]
        assert not [
            e for e in conn.events if e["type"] == "agent.analysis" and e["turn_id"] == turn_id
        ]
        conn.send({"type": "execution.cancel", "execution_id": execution_id})
        conn.until(lambda e: e["type"] == "agent.analysis" and e["turn_id"] == turn_id)
