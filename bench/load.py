"""The benchmark harness: real WebSocket clients against a real stack, with baselines.

Run: `.venv/bin/python -m bench.load` (`--quick` for a short pass). It starts its own
stack (Temporal dev server, `python worker.py`, `uvicorn`) on free ports and reports,
per scenario, latencies from sending `user.message` to `message.accepted`,
`agent.analysis` and `turn.completed`; turns per second; lost, duplicated and
out-of-order events; peak RSS of the worker and the API; history events per turn. In the
same run it measures (a) the raw Temporal floor, a minimal workflow shaped like a turn
(a submit Update, two local activities, the stream's long-poll Update returning the
answer; and the narrower single Update running both activities), and (b) the same agent
code called in-process with no Temporal, and prints ratios to both.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client, WorkflowUpdateStage
from temporalio.worker import Worker
from websockets.asyncio.client import ClientConnection, connect

import launcher
from bench.floor import FloorStreamTurns, FloorTurns, noop
from settings import Settings

MESSAGES = ("Upload a file", "bananas are yellow", "hello", "What insights can I get?")


@dataclass
class Sample:
    accepted: float
    analysis: float
    completed: float


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    sessions: list[str] = field(default_factory=list)


async def session(url: str, turns: int, tally: Tally, pace: float = 0.0) -> None:
    """One client: `turns` messages one after another, every event checked by offset.

    `pace`: at least this many seconds between two messages (a client that keeps
    within the API's per-socket rate limit).
    """
    async with connect(url, max_size=None) as ws:
        ready = json.loads(await ws.recv())
        tally.sessions.append(ready["session_id"])
        last = 0
        seen: set[int] = set()
        for index in range(turns):
            if tally.samples and pace:
                await asyncio.sleep(max(0.0, pace - tally.samples[-1].completed / 1000))
            message_id = uuid.uuid4().hex
            started = time.perf_counter()
            text = MESSAGES[index % len(MESSAGES)]
            await ws.send(
                json.dumps({"type": "user.message", "message_id": message_id, "text": text})
            )
            marks: dict[str, float] = {}
            turn_id = None
            while "turn.completed" not in marks:
                event = json.loads(await ws.recv())
                if event["type"] == "error":
                    raise RuntimeError(f"the server refused a frame: {event}")
                offset = event.get("offset")
                if offset is None:
                    continue
                if offset in seen:
                    tally.duplicated += 1
                elif offset != last + 1:
                    tally.out_of_order += 1
                    tally.lost += max(0, offset - last - 1)
                seen.add(offset)
                last = max(last, offset)
                if event.get("message_id") == message_id:
                    turn_id = event["turn_id"]
                if event.get("turn_id") == turn_id and event["type"] not in marks:
                    marks[event["type"]] = (time.perf_counter() - started) * 1000
            tally.samples.append(
                Sample(marks["message.accepted"], marks["agent.analysis"], marks["turn.completed"])
            )


@dataclass(frozen=True)
class Baselines:
    """The same run's baseline turn p50s, which every scenario's p50 is divided by."""

    floor_ms: float
    in_process_ms: float


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident set."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def history_per_turn(address: str, sessions: list[str], turns: int) -> float:
    client = await Client.connect(address)
    total = 0
    for session_id in sessions:
        async for item in client.list_workflows(f'WorkflowId="session-{session_id}"'):
            handle = client.get_workflow_handle(item.id, run_id=item.run_id)
            total += len([e async for e in handle.fetch_history_events()])
    return total / max(1, len(sessions) * turns)


async def floor(address: str, sessions: int, turns: int) -> tuple[list[float], float]:
    """Turn latencies and turns/s of the platform-shaped floor at the given concurrency:
    a submit Update, two local activities, and the long-poll Update that returns the answer."""
    client = await Client.connect(address)
    queue = f"floor-{uuid.uuid4().hex}"
    latencies: list[float] = []
    async with Worker(client, task_queue=queue, workflows=[FloorStreamTurns], activities=[noop]):

        async def one() -> None:
            handle = await client.start_workflow(
                FloorStreamTurns.run, id=f"{queue}-{uuid.uuid4().hex}", task_queue=queue
            )
            for index in range(turns):
                poll = await handle.start_update(
                    FloorStreamTurns.poll, index, wait_for_stage=WorkflowUpdateStage.ACCEPTED
                )
                started = time.perf_counter()
                await handle.execute_update(FloorStreamTurns.submit, index)
                await poll.result()
                latencies.append((time.perf_counter() - started) * 1000)
            await handle.signal(FloorStreamTurns.stop)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(sessions)))
        elapsed = time.perf_counter() - started
    return latencies, sessions * turns / elapsed


async def update_floor(address: str, turns: int) -> list[float]:
    """The narrower floor: one Update whose handler runs the two local activities."""
    client = await Client.connect(address)
    queue = f"floor-{uuid.uuid4().hex}"
    latencies: list[float] = []
    async with Worker(client, task_queue=queue, workflows=[FloorTurns], activities=[noop]):
        handle = await client.start_workflow(FloorTurns.run, id=queue, task_queue=queue)
        for index in range(turns):
            started = time.perf_counter()
            await handle.execute_update(FloorTurns.turn, index)
            latencies.append((time.perf_counter() - started) * 1000)
        await handle.signal(FloorTurns.stop)
    return latencies


def in_process_ms(turns: int) -> list[float]:
    """The same agent code with no Temporal: what durability costs, by difference."""
    from activities.agents.classifier import ClassifierAnalyzer
    from activities.agents.liaisons import LIAISONS
    from models.agents import TurnContext

    analyzer = ClassifierAnalyzer()
    samples = []
    for index in range(turns):
        started = time.perf_counter()
        context = TurnContext(text=MESSAGES[index % len(MESSAGES)])
        analysis = analyzer.analyze(context)
        for pillar in analysis.pillars:
            LIAISONS[pillar](context)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def idle_sockets(url: str, api_pid: int, count: int) -> float:
    """API memory per idle socket, in KiB."""
    before = rss_mib(api_pid)
    sockets: list[ClientConnection] = []
    for _ in range(count):
        ws = await connect(url)
        await ws.recv()
        sockets.append(ws)
    after = rss_mib(api_pid)
    for ws in sockets:
        await ws.close()
    return (after - before) * 1024 / count


async def flood_effect(url: str, turns: int) -> tuple[float, float]:
    """One client's turn p95 alone, then while another client floods pings.

    Both clients are held to the default limits; the measured one keeps to its rate.
    """
    pace = 1 / Settings.model_fields["rate_per_socket"].default
    quiet = Tally()
    await session(url, turns, quiet, pace)
    alone = pct([s.completed for s in quiet.samples], 0.95)

    async def flood(stop: asyncio.Event) -> None:
        async with connect(url) as ws:
            await ws.recv()
            while not stop.is_set():
                try:
                    await ws.send('{"type": "ping"}')
                    await asyncio.sleep(0.001)
                except Exception:
                    return

    stop = asyncio.Event()
    flooding = asyncio.create_task(flood(stop))
    loaded = Tally()
    await session(url, turns, loaded, pace)
    stop.set()
    await flooding
    return alone, pct([s.completed for s in loaded.samples], 0.95)


def report(name: str, tally: Tally, elapsed: float, baselines: Baselines) -> None:
    accepted = [s.accepted for s in tally.samples]
    analysis = [s.analysis for s in tally.samples]
    completed = [s.completed for s in tally.samples]
    print(
        f"{name:26} n={len(completed):5}  accepted p50/p90/p99 "
        f"{pct(accepted, 0.5):6.1f}/{pct(accepted, 0.9):6.1f}/{pct(accepted, 0.99):6.1f}  "
        f"analysis {pct(analysis, 0.5):6.1f}/{pct(analysis, 0.9):6.1f}/{pct(analysis, 0.99):6.1f}  "
        f"completed {pct(completed, 0.5):6.1f}/{pct(completed, 0.9):6.1f}/"
        f"{pct(completed, 0.99):6.1f} ms  "
        f"{len(completed) / elapsed:6.1f} turns/s  "
        f"x floor {pct(completed, 0.5) / baselines.floor_ms:4.2f}  "
        f"x in-process {pct(completed, 0.5) / baselines.in_process_ms:4.0f}  "
        f"lost {tally.lost} dup {tally.duplicated} order {tally.out_of_order}"
    )


async def run(stack: launcher.Stack, quick: bool, long_session: int) -> None:
    url = stack.api_url().replace("http", "ws") + "/api/runtime/agent"
    api_pid = stack.processes["api0"].pid
    worker_pid = stack.processes["worker0"].pid
    sizes = [(1, 30 if quick else 100), (50, 5)] + ([] if quick else [(200, 5)])

    floor_single, _ = await floor(stack.temporal_address, 1, 50)
    narrow = await update_floor(stack.temporal_address, 50)
    local = in_process_ms(500)
    baselines = Baselines(statistics.median(floor_single), statistics.median(local))
    print(
        f"raw floor, 1 session (submit + poll Updates, 2 local activities): turn p50 "
        f"{baselines.floor_ms:.1f} ms, p99 {pct(floor_single, 0.99):.1f} ms"
    )
    print(
        f"narrow floor (one Update running 2 local activities): p50 "
        f"{statistics.median(narrow):.1f} ms, p99 {pct(narrow, 0.99):.1f} ms"
    )
    print(f"in-process, no Temporal: turn p50 {baselines.in_process_ms:.3f} ms")
    for sessions, turns in sizes:
        tally = Tally()
        started = time.perf_counter()
        await asyncio.gather(*(session(url, turns, tally) for _ in range(sessions)))
        elapsed = time.perf_counter() - started
        floor_latencies, floor_rate = await floor(stack.temporal_address, sessions, turns)
        report(f"{sessions} sessions x {turns}", tally, elapsed, baselines)
        rate = len(tally.samples) / elapsed
        per_turn = await history_per_turn(stack.temporal_address, tally.sessions[:5], turns)
        print(
            f"{'':26} floor {floor_rate:6.1f} turns/s -> {rate / floor_rate:4.0%} of the floor "
            f"(floor turn p50/p99 {pct(floor_latencies, 0.5):.1f}/"
            f"{pct(floor_latencies, 0.99):.1f} ms); history {per_turn:.1f} events/turn"
        )
    per_socket = await idle_sockets(url, api_pid, 200 if quick else 1000)
    print(f"idle sockets: API RSS {per_socket:.0f} KiB per socket")
    alone, loaded = await flood_effect(guarded_api(stack), 20 if quick else 40)
    print(
        f"flood: other client's turn p95 {alone:.1f} ms alone, {loaded:.1f} ms under flood "
        f"({loaded / alone - 1:+.0%})"
    )
    if long_session:
        await long_conversation(stack, url, long_session, baselines)
    print(
        f"peak RSS: worker {peak_rss_mib(worker_pid):.0f} MiB, API {peak_rss_mib(api_pid):.0f} MiB"
    )


async def long_conversation(
    stack: launcher.Stack, url: str, messages: int, baselines: Baselines
) -> None:
    """One session of many messages: every run's history stays bounded, nothing is lost."""
    tally = Tally()
    started = time.perf_counter()
    await session(url, messages, tally)
    elapsed = time.perf_counter() - started
    client = await Client.connect(stack.temporal_address)
    workflow_id = f"session-{tally.sessions[0]}"
    lengths = []
    async for item in client.list_workflows(f'WorkflowId="{workflow_id}"'):
        handle = client.get_workflow_handle(item.id, run_id=item.run_id)
        lengths.append(len([e async for e in handle.fetch_history_events()]))
    report(f"1 session x {messages}", tally, elapsed, baselines)
    print(f"{'':26} {len(lengths)} runs, longest history {max(lengths)} events")


LIFTED = {
    "SYMPHAINY_MAX_SOCKETS_PER_USER": "5000",
    "SYMPHAINY_RATE_PER_USER": "100000",
    "SYMPHAINY_BURST_PER_USER": "100000",
    "SYMPHAINY_RATE_PER_SOCKET": "100000",
    "SYMPHAINY_BURST_PER_SOCKET": "100000",
}
"""Load clients send faster than people do: the main API lifts the frame rate limits."""


def guarded_api(stack: launcher.Stack) -> str:
    """A second API process with the default limits, for the flood scenario."""
    port = launcher.free_port()
    fields = Settings.model_fields
    defaults = {
        name: str(fields[name.removeprefix("SYMPHAINY_").lower()].default) for name in LIFTED
    }
    launcher.start_api(stack, port, f"guarded-{port}", defaults)
    launcher.wait_ready(f"http://127.0.0.1:{port}")
    return f"ws://127.0.0.1:{port}/api/runtime/agent"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--long", type=int, default=0, help="messages in one long session")
    options = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    print(f"process logs: {logs}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        launcher.running(Path(tmp), log_dir=logs, env=LIFTED) as stack,
    ):
        asyncio.run(run(stack, options.quick, options.long))


if __name__ == "__main__":
    main()
