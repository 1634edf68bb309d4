"""Records the replay histories that every later workflow change must replay.

`python -m tests.record_histories [scenario...]` runs one real stack, drives a session
through each path users reach (an intent execution, an approval, a retry of a failed
execution, a continue-as-new, a session that ends idle and is resumed) and writes the
conversation and execution histories of that run to `tests/histories/`, named after the
commit that wrote them. Run it again (naming the new scenario) only to add a new path:
old histories stay, since running sessions were written by old code.
"""

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionStatus

import launcher
from tests.client import Api, Conn, extra_api

HISTORIES = Path(__file__).parent / "histories"
HISTORY_BOUND = 150
"""Small, so the continue-as-new scenario needs ~40 turns, not thousands."""


def _ingest(api: Api, conn: Conn) -> list[str]:
    ref = api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,12\n")
    conn.turn("Upload a file", [ref["file_id"]])
    return _executions(conn)


def _approval(api: Api, conn: Conn) -> list[str]:
    ref = api.upload("approve.csv", b"a,b\n1,2\n")
    conn.message("Upload a file", [ref["file_id"]])
    pending = conn.until(lambda e: e["type"] == "intent.pending_approval")
    conn.send({"type": "intent.approve", "turn_id": pending["turn_id"]})
    conn.until(lambda e: e["type"] == "turn.completed" and e["turn_id"] == pending["turn_id"])
    return _executions(conn)


def _retry(api: Api, conn: Conn, folder: Path) -> list[str]:
    control = folder / "control"
    control.write_text("1")
    conn.turn("hello")
    first = api.start(
        "test_flaky", {"control": str(control), "permanent": True}, conn.ready["session_id"]
    )
    conn.until(lambda e: e["type"] == "execution.failed" and e["execution_id"] == first)
    conn.send({"type": "execution.retry", "execution_id": first})
    done = conn.until(lambda e: e["type"] == "execution.completed")
    conn.until(lambda e: e["type"] == "turn.completed" and e["turn_id"] == done["turn_id"])
    return _executions(conn)


def _continue_as_new(api: Api, conn: Conn) -> list[str]:
    turns = 40
    for index in range(turns):
        conn.message("Upload a file" if index % 2 else "bananas are yellow")
    conn.until(
        lambda e: (
            e["type"] == "turn.completed"
            and sum(1 for x in conn.events if x["type"] == "turn.completed") == turns
        ),
        timeout=180,
    )
    return []


def _idle_end(address: str, conn: Conn) -> list[str]:
    """A turn, the run ending idle (the API's idle limit is 1 s), then a turn resuming it."""
    conn.turn("hello")

    async def ended() -> None:
        client = await Client.connect(address)
        handle = client.get_workflow_handle(f"session-{conn.ready['session_id']}")
        for _ in range(600):
            if (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError("the session did not end idle within 60 s")

    asyncio.run(ended())
    conn.turn("bananas are yellow")
    return []


def _executions(conn: Conn) -> list[str]:
    return sorted({e["execution_id"] for e in conn.events if e["type"] == "intent.created"})


async def _save(address: str, workflow_id: str, name: str) -> None:
    """Every run of `workflow_id` (continue-as-new makes several) as its own file."""
    client = await Client.connect(address)
    runs = [w async for w in client.list_workflows(f'WorkflowId="{workflow_id}"')]
    for index, run in enumerate(sorted(runs, key=lambda r: r.start_time)):
        history = await client.get_workflow_handle(workflow_id, run_id=run.run_id).fetch_history()
        suffix = f"-run{index + 1}" if len(runs) > 1 else ""
        (HISTORIES / f"{name}{suffix}.json").write_text(history.to_json())


def main() -> None:
    """Drive each scenario on its own session and save what it wrote."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = Path(tempfile.mkdtemp())
    env = {
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
        "SYMPHAINY_HISTORY_BOUND": str(HISTORY_BOUND),
    }
    wanted = sys.argv[1:]
    with (
        launcher.running(root / "data", log_dir=root, env=env) as stack,
        extra_api(stack, {"SYMPHAINY_SESSION_IDLE_SECONDS": "1"}) as idle_api,
    ):
        api = Api(stack.api_url())
        scenarios: dict[str, Callable[[Conn], list[str]]] = {
            "intent": lambda conn: _ingest(api, conn),
            "approval": lambda conn: _approval(api, conn),
            "retry": lambda conn: _retry(api, conn, root),
            "continue-as-new": lambda conn: _continue_as_new(api, conn),
            "idle-end": lambda conn: _idle_end(stack.temporal_address, conn),
        }
        for name, drive in scenarios.items():
            if wanted and name not in wanted:
                continue
            on = idle_api if name == "idle-end" else api
            with on.socket(approve="all" if name == "approval" else None) as conn:
                executions = drive(conn)
                session = f"session-{conn.ready['session_id']}"
            asyncio.run(_save(stack.temporal_address, session, f"conversation-{commit}-{name}"))
            for index, execution_id in enumerate(executions):
                workflow_id = f"exec-{execution_id}"
                label = f"execution-{commit}-{name}-{index + 1}"
                asyncio.run(_save(stack.temporal_address, workflow_id, label))


if __name__ == "__main__":
    main()
