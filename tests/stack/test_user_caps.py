"""Per-user caps in token mode, with two API processes: each cap holds for a user whose
requests alternate between them, over it nothing starts, and other users carry on."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

import launcher
from tests.client import WAIT, Conn, extra_api
from tests.stack.test_auth import SECRET, UserApi, token

CAPS = {
    "SYMPHAINY_SESSIONS_PER_MINUTE": "3",
    "SYMPHAINY_MAX_OPEN_SESSIONS": "100",
    "SYMPHAINY_INTENTS_PER_MINUTE": "3",
    "SYMPHAINY_MAX_RUNNING_EXECUTIONS": "100",
}


@pytest.fixture(scope="module")
def caps_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    root = tmp_path_factory.mktemp("caps")
    env = {
        "SYMPHAINY_AUTH_MODE": "token",
        "SYMPHAINY_JWT_SECRET": SECRET,
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
        **CAPS,
    }
    with launcher.running(root / "data", apis=2, log_dir=root, env=env) as stack:
        yield stack


def _users(stack: launcher.Stack, *, bases: list[str] | None = None) -> list[UserApi]:
    """One new user as seen through each API process."""
    bearer = token(f"caps-{uuid.uuid4().hex}")
    return [UserApi(base, bearer) for base in bases or [stack.api_url(0), stack.api_url(1)]]


def _first_message(user: UserApi) -> dict[str, object]:
    """A new session's first message: `message.accepted` or the error it got."""
    with user.conn() as ws:
        conn = Conn(ws)
        message_id = conn.message("Upload a file")
        frame = conn.until(
            lambda e: e.get("message_id") == message_id or e.get("ref") == message_id
        )
        return {**frame, "session_id": conn.ready["session_id"]}


def test_sessions_a_minute_are_capped_across_api_processes(caps_stack: launcher.Stack) -> None:
    one, two = _users(caps_stack)
    answers = [_first_message(user) for user in (one, two, one, two)]
    assert [a["type"] for a in answers] == ["message.accepted"] * 3 + ["error"]
    refused = answers[-1]
    assert refused["code"] == "rate_limited"
    assert "3 sessions a minute" in str(refused["message"])
    assert one.http.get(f"/api/sessions/{refused['session_id']}").status_code == 404
    other, _ = _users(caps_stack)
    assert _first_message(other)["type"] == "message.accepted"


def test_open_sessions_are_capped(caps_stack: launcher.Stack) -> None:
    env = {"SYMPHAINY_SESSIONS_PER_MINUTE": "100", "SYMPHAINY_MAX_OPEN_SESSIONS": "2"}
    with extra_api(caps_stack, env) as api:
        (user,) = _users(caps_stack, bases=[api.base])
        opened = [_first_message(user) for _ in range(2)]
        assert [o["type"] for o in opened] == ["message.accepted"] * 2
        _wait_running(caps_stack, [f"session-{o['session_id']}" for o in opened])
        refused = _first_message(user)
        assert refused["code"] == "rate_limited"
        assert "2 open sessions" in str(refused["message"])


def test_running_executions_are_capped_and_nothing_starts(
    caps_stack: launcher.Stack, tmp_path: Path
) -> None:
    env = {"SYMPHAINY_INTENTS_PER_MINUTE": "100", "SYMPHAINY_MAX_RUNNING_EXECUTIONS": "2"}
    with extra_api(caps_stack, env) as first, extra_api(caps_stack, env) as second:
        one, two = _users(caps_stack, bases=[first.base, second.base])
        failed = one.start("test_broken", {})
        assert one.wait_execution(failed)["status"] == "failed"
        running = [
            user.start("test_slow", {"seconds": 120, "output": str(tmp_path / f"{n}")})
            for n, user in enumerate((one, two))
        ]
        _wait_running(caps_stack, [f"exec-{e}" for e in running])
        started = _count(caps_stack, 'WorkflowType="IntentExecution"')
        body = {"name": "test_broken", "params": {}}
        refused = one.http.post("/api/runtime/intents", json=body)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "2 running executions" in refused.json()["detail"]
        retried = one.http.post(f"/api/executions/{failed}/retry")
        assert retried.status_code == 429, "a retry starts an execution: the cap holds"
        assert _count(caps_stack, 'WorkflowType="IntentExecution"') == started
        for execution_id in running:
            assert one.http.post(f"/api/executions/{execution_id}/cancel").status_code == 202


def test_rest_intents_a_minute_are_capped_across_api_processes(
    caps_stack: launcher.Stack,
) -> None:
    one, two = _users(caps_stack)
    body = {"name": "test_broken", "params": {}}
    codes = [u.http.post("/api/runtime/intents", json=body) for u in (one, two, one, two)]
    assert [r.status_code for r in codes] == [202, 202, 202, 429]
    assert 0 < int(codes[-1].headers["retry-after"]) <= 60
    assert "3 intents a minute" in codes[-1].json()["detail"]


def _count(stack: launcher.Stack, query: str) -> int:
    """Workflows in Temporal's visibility."""

    async def count() -> int:
        client = await Client.connect(stack.temporal_address)
        return (await client.count_workflows(query)).count

    return asyncio.run(count())


def _wait_running(stack: launcher.Stack, workflow_ids: list[str]) -> None:
    """Until visibility shows each workflow running (what the caps count)."""
    listed = " OR ".join(f'WorkflowId="{w}"' for w in workflow_ids)
    query = f'ExecutionStatus="Running" AND ({listed})'
    deadline = time.monotonic() + WAIT
    while _count(stack, query) < len(workflow_ids):
        assert time.monotonic() < deadline, "the workflows never showed in visibility"
        time.sleep(0.05)
