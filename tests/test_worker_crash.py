"""A worker SIGKILLed during a realm activity: the execution finishes on another worker,
and its effect happens exactly once."""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import launcher
from tests.client import Api


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    """Its own stack: killing a worker must not slow the other tests' sessions."""
    root = tmp_path_factory.mktemp("crash")
    env = {"SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]'}
    with launcher.running(root / "data", workers=2, log_dir=root, env=env) as stack:
        yield stack


def _wait_for(path_glob: Path, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(path_glob.parent.glob(path_glob.name))
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"nothing matched {path_glob}"
        time.sleep(0.05)


def test_a_killed_worker_hands_the_execution_to_another(
    two_workers: launcher.Stack, tmp_path: Path
) -> None:
    api = Api(two_workers.api_url())
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    execution_id = api.start("test_effect", {"ledger": str(ledger), "seconds": 1.5})
    marker = _wait_for(ledger / ".running-*")
    victim = int(marker.name.rsplit("-", 1)[1])
    assert victim in {p.pid for p in two_workers.processes.values()}
    os.kill(victim, signal.SIGKILL)
    view = api.wait_execution(execution_id, timeout=60)
    assert view["status"] == "completed"
    assert view["attempts"] == 2
    effects = [p.name for p in ledger.iterdir() if not p.name.startswith(".")]
    assert effects == [execution_id]
    assert view["result"]["effects"] == 1
