"""What each dev-server dynamic-config value does to one hop, by measurement.

Run: `.venv/bin/python -m bench.devserver [--rounds N] [--repeat N]`. For each
configuration (Temporal's defaults, the transfer queue alone, the launcher's
`DEV_SERVER_DYNAMIC_CONFIG` without and with its `DEV_SERVER_SQLITE_PRAGMAS`, and that
plus each value looked at and left out) it starts
a fresh dev server and times, with no project code: a no-op Update, an Update that runs
a child workflow, one that runs an activity through matching (another task queue, so
not eagerly), one that runs an eager activity, one that sleeps 1 ms, and how long a new
workflow takes to show in a list query. Prints p50s, one line per configuration; the
configurations alternate `--repeat` times, so a shared machine's load weighs on all.
"""

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

import launcher
from bench.floor import Child, Hops, noop

TRANSFER: dict[str, int | str] = {"history.transferProcessorMaxPollRPS": 1000}
OURS = launcher.DEV_SERVER_DYNAMIC_CONFIG
WAL = launcher.DEV_SERVER_SQLITE_PRAGMAS
Config = tuple[dict[str, int | str], dict[str, str]]
"""A dev server's dynamic configuration and its SQLite pragmas."""

LAUNCHER: Config = (OURS, WAL)
CONFIGS: dict[str, Config] = {
    "defaults": ({}, {}),
    "transfer queue only": (TRANSFER, {}),
    "launcher's dynamic config": (OURS, {}),
    "launcher": LAUNCHER,
    "launcher, synchronous=off": (OURS, {**WAL, "synchronous": "off"}),
    "launcher + 1 partition": (
        {
            **OURS,
            "matching.numTaskqueueReadPartitions": 1,
            "matching.numTaskqueueWritePartitions": 1,
        },
        WAL,
    ),
    "launcher + visibility queue": (
        {**OURS, "history.visibilityProcessorMaxPollRPS": 1000},
        WAL,
    ),
}

HOPS = ("update", "child", "matched_activity", "eager_activity", "timer")


async def measure(address: str, rounds: int) -> dict[str, float]:
    """p50 ms of each hop, and of a new workflow's first appearance in a list query."""
    client = await Client.connect(address)
    queue = f"hops-{uuid.uuid4().hex}"
    samples: dict[str, list[float]] = {name: [] for name in (*HOPS, "visible")}
    async with (
        Worker(client, task_queue=queue, workflows=[Hops, Child], activities=[noop]),
        Worker(client, task_queue=f"{queue}-activities", activities=[noop]),
    ):
        handle = await client.start_workflow(Hops.run, id=queue, task_queue=queue)
        await handle.execute_update(Hops.update)
        for _ in range(rounds):
            for name in HOPS:
                started = time.perf_counter()
                await handle.execute_update(name)
                samples[name].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await appears(client, queue)
            samples["visible"].append((time.perf_counter() - started) * 1000)
        await handle.signal(Hops.stop)
    return {name: statistics.median(values) for name, values in samples.items()}


async def appears(client: Client, queue: str) -> None:
    """Start a workflow and list it until the visibility store has it."""
    workflow_id = uuid.uuid4().hex
    await client.start_workflow(Child.run, 1, id=workflow_id, task_queue=queue)
    query = f'WorkflowId="{workflow_id}"'
    for _ in range(5000):
        if [w async for w in client.list_workflows(query)]:
            return
        await asyncio.sleep(0.002)
    raise TimeoutError(f"{workflow_id} never showed in a list query")


def serve(config: Config, data: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A fresh dev server on a database file of its own, as the launcher starts it."""
    port = launcher.free_port()
    args = [str(launcher.TEMPORAL), "server", "start-dev", "--ip", "127.0.0.1"]
    args += ["--port", str(port), "--headless", "--log-level", "error"]
    args += ["--db-filename", str(data / f"{uuid.uuid4().hex}.db")]
    args += launcher.dev_server_options(*config)
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port


async def connectable(address: str) -> None:
    for _ in range(300):
        try:
            await Client.connect(address)
            return
        except RuntimeError:
            await asyncio.sleep(0.2)
    raise TimeoutError(f"no dev server answered at {address}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    print(f"p50 ms; {' / '.join((*HOPS, 'visible'))}")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(options.repeat):
            for label, config in CONFIGS.items():
                server, port = serve(config, Path(tmp))
                try:
                    address = f"127.0.0.1:{port}"
                    asyncio.run(connectable(address))
                    p50 = asyncio.run(measure(address, options.rounds))
                finally:
                    server.terminate()
                    server.wait()
                figures = " / ".join(f"{value:.1f}" for value in p50.values())
                print(f"{label:28} {figures}", flush=True)


if __name__ == "__main__":
    main()
