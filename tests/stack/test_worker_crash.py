"""A worker SIGKILLed during a realm activity: the execution finishes on another worker,
and its effect happens exactly once."""

import os
import signal
from pathlib import Path

import pytest

import launcher
from tests.client import Api, wait_for_file


@pytest.mark.parametrize("moment", ["running", "written"])
def test_a_killed_worker_hands_the_execution_to_another(
    two_workers: launcher.Stack, tmp_path: Path, moment: str
) -> None:
    """The attempt holds at `moment` until the test releases it: the kill always lands."""
    api = Api(two_workers.api_url())
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    execution_id = api.start("test_effect", {"ledger": str(ledger), "hold": moment})
    victim = int(wait_for_file(ledger / f".{moment}-*").name.rsplit("-", 1)[1])
    name = next(n for n, p in two_workers.processes.items() if p.pid == victim)
    os.kill(victim, signal.SIGKILL)
    (ledger / ".release").touch()
    view = api.wait_execution(execution_id, timeout=60)
    launcher.start_worker(two_workers, name)
    assert view["status"] == "completed"
    assert view["attempts"] == 2
    effects = [p.name for p in ledger.iterdir() if not p.name.startswith(".")]
    assert effects == [execution_id]
    assert view["result"]["effects"] == 1
