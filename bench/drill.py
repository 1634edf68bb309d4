"""The worker crash drill: SIGKILL a worker during a realm activity, many times.

Run: `.venv/bin/python -m bench.drill` (`--rounds N`, default 20). Its own stack with two
workers; each round starts an execution with one keyed effect, kills the worker running
it (alternately while it works and after its effect is written but before it reports),
restarts that worker, and checks that the execution completed on the other one with its
effect exactly once. Reports how long each recovery took.
"""

import argparse
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import launcher
from tests.client import Api, wait_for_file

MOMENTS = (("running", {"seconds": 1.0}), ("written", {"linger": 1.0}))


def drill_round(stack: launcher.Stack, api: Api, ledger: Path, index: int) -> float:
    """One kill and recovery; the seconds from the kill to the completed execution."""
    moment, params = MOMENTS[index % len(MOMENTS)]
    ledger.mkdir()
    execution_id = api.start("test_effect", {"ledger": str(ledger), **params})
    victim = int(wait_for_file(ledger / f".{moment}-*").name.rsplit("-", 1)[1])
    name = next(n for n, p in stack.processes.items() if p.pid == victim)
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    launcher.start_worker(stack, name)
    view = api.wait_execution(execution_id, timeout=120)
    recovered = time.monotonic() - killed
    effects = [p.name for p in ledger.iterdir() if not p.name.startswith(".")]
    ok = view["status"] == "completed" and effects == [execution_id]
    print(
        f"round {index + 1:2}: killed {moment:7} -> {view['status']} after {recovered:5.1f} s, "
        f"attempts {view['attempts']}, effects {len(effects)} {'ok' if ok else 'FAILED'}"
    )
    if not ok:
        raise SystemExit(f"round {index + 1} failed: {view}, effects {effects}")
    return recovered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    env = {"SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]'}
    with (
        tempfile.TemporaryDirectory() as tmp,
        launcher.running(Path(tmp) / "data", workers=2, log_dir=Path(tmp), env=env) as stack,
    ):
        api = Api(stack.api_url())
        times = [
            drill_round(stack, api, Path(tmp) / f"ledger-{index}", index)
            for index in range(options.rounds)
        ]
    print(
        f"{options.rounds} kills, every execution completed with its effect exactly once; "
        f"recovery p50 {statistics.median(times):.1f} s, max {max(times):.1f} s"
    )


if __name__ == "__main__":
    main()
