"""The benchmark harness: real WebSocket clients against a real stack, with baselines.

Run: `.venv/bin/python -m bench.load` (`--quick` for a short pass). It starts its own
stack (Temporal dev server, `python worker.py`, `uvicorn`) on free ports and reports,
per scenario, latencies from sending `user.message` to `message.accepted`,
`agent.analysis` and `turn.completed`; turns per second; lost, duplicated and
out-of-order events; peak RSS of the worker and the API; history events per turn.

Scenarios are turns with no intent (the guide answers) and ingest turns (a small CSV
attached to "Upload a file": the guide, a child execution running `ingest_file`, the
summary). In the same run it measures the raw Temporal floors with no project code
(bench/floor.py): a no-op Update; an Update running two local activities; the turn's
stream shape (a submit Update, two local activities, the long-poll Update returning the
answer); an ingest turn's shape (an Update running a local activity, a child workflow
with a local activity and an activity, a last local activity), each at the scenario's
concurrency; and the same agent code in-process with no Temporal. The last lines print
every ratio the issue sets a goal for, from this one run.
"""

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import launcher
from bench.floor import (
    FloorIngestExecution,
    FloorIngestTurns,
    FloorStreamTurns,
    FloorTurns,
    noop,
    update_round_trips_ms,
)
from settings import Settings

ROUNDS = 5
"""The one-session scenarios and their raw floors alternate in this many rounds, so a
machine's drift weighs on both alike: measured once before and once after, the same code
gave ratios 0.1-0.4 apart from run to run."""
MESSAGES = ("Upload a file", "bananas are yellow", "hello", "What insights can I get?")
"""Turns with no intent: direct, clarify, smalltalk and liaison routes."""
INGEST = "Upload a file"
SALES = b"region,amount,day\nnorth,10,2024-01-02\nsouth,20,2024-01-03\nnorth,,2024-01-04\n"
"""The small file of an ingest turn: attached to "Upload a file", the guide ingests it."""


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
    refused: list[str] = field(default_factory=list)
    """Sessions the server closed before their last turn (e.g. 1011 when a message could
    not be recorded in time on an overloaded machine): reported, never hidden."""

    def add(self, other: "Tally") -> None:
        """Count another scenario's turns as this one's."""
        self.samples += other.samples
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.out_of_order += other.out_of_order
        self.sessions += other.sessions
        self.refused += other.refused


async def session(
    url: str,
    turns: int,
    tally: Tally,
    pace: float = 0.0,
    file_id: str | None = None,
    warmup: int = 0,
) -> None:
    """One client: `turns` messages one after another, every event checked by offset.

    `pace`: at least this many seconds between two messages (a client that keeps
    within the API's per-socket rate limit). `file_id`: every turn is an ingest turn
    of that file. `warmup`: the first turns are checked but not timed (the first one
    starts the session's workflow).
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
            frame: dict[str, object] = {"type": "user.message", "message_id": message_id}
            if file_id is None:
                frame["text"] = MESSAGES[index % len(MESSAGES)]
            else:
                frame |= {"text": INGEST, "file_ids": [file_id]}
            await ws.send(json.dumps(frame))
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
            if file_id is not None and "execution.completed" not in marks:
                raise RuntimeError(f"an ingest turn ended without its execution: {marks}")
            if index >= warmup:
                tally.samples.append(
                    Sample(
                        marks["message.accepted"], marks["agent.analysis"], marks["turn.completed"]
                    )
                )


@dataclass(frozen=True)
class Baselines:
    """The same run's baseline turn p50s, which every scenario's p50 is divided by."""

    floor_ms: float
    in_process_ms: float


@dataclass
class Floor:
    """A raw floor's turn latencies and its turns per second at one concurrency."""

    latencies: list[float]
    rate: float


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


async def stream_floor(address: str, sessions: int, turns: int) -> Floor:
    """The turn's stream shape at a concurrency: a submit Update, two local activities,
    and the long-poll Update that returns the answer.

    As the API's feed does, the next poll is sent the moment the last one answered, so
    its round trip overlaps the next turn instead of waiting in front of it; the timer
    runs from sending the submit to the poll's answer, as the platform's runs from
    sending the message to `turn.completed`.
    """
    client = await Client.connect(address)
    queue = f"floor-{uuid.uuid4().hex}"
    latencies: list[float] = []
    async with Worker(client, task_queue=queue, workflows=[FloorStreamTurns], activities=[noop]):

        async def one() -> None:
            handle = await client.start_workflow(
                FloorStreamTurns.run, id=f"{queue}-{uuid.uuid4().hex}", task_queue=queue
            )
            answered = 0
            poll = asyncio.create_task(handle.execute_update(FloorStreamTurns.poll, answered))
            for index in range(turns):
                started = time.perf_counter()
                await handle.execute_update(FloorStreamTurns.submit, index)
                answered = await poll
                latencies.append((time.perf_counter() - started) * 1000)
                if index + 1 < turns:
                    poll = asyncio.create_task(
                        handle.execute_update(FloorStreamTurns.poll, answered)
                    )
            await handle.signal(FloorStreamTurns.stop)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(sessions)))
        elapsed = time.perf_counter() - started
    return Floor(latencies, sessions * turns / elapsed)


async def ingest_floor(address: str, sessions: int, turns: int) -> Floor:
    """An ingest turn's shape at a concurrency: an Update running a local activity, a
    child workflow with a local activity and an activity, and a last local activity."""
    client = await Client.connect(address)
    queue = f"floor-{uuid.uuid4().hex}"
    latencies: list[float] = []
    async with Worker(
        client,
        task_queue=queue,
        workflows=[FloorIngestTurns, FloorIngestExecution],
        activities=[noop],
    ):

        async def one() -> None:
            handle = await client.start_workflow(
                FloorIngestTurns.run, id=f"{queue}-{uuid.uuid4().hex}", task_queue=queue
            )
            for index in range(turns):
                started = time.perf_counter()
                await handle.execute_update(FloorIngestTurns.turn, index)
                latencies.append((time.perf_counter() - started) * 1000)
            await handle.signal(FloorIngestTurns.stop)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(sessions)))
        elapsed = time.perf_counter() - started
    return Floor(latencies, sessions * turns / elapsed)


async def update_floor(address: str, turns: int) -> list[float]:
    """One Update whose handler runs two local activities: a turn with no intent."""
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


@dataclass
class OneSession:
    """One-session baselines, sampled in turn with the one-session scenarios (`ROUNDS`)
    so that a shared machine's changing load weighs on both alike."""

    noop: list[float] = field(default_factory=list)
    two_local: list[float] = field(default_factory=list)
    stream: list[float] = field(default_factory=list)
    ingest: list[float] = field(default_factory=list)

    async def sample(self, address: str, rounds: int) -> None:
        self.noop += await update_round_trips_ms(address, rounds)
        self.two_local += await update_floor(address, rounds)
        self.stream += (await stream_floor(address, 1, rounds)).latencies
        self.ingest += (await ingest_floor(address, 1, rounds)).latencies


def in_process_ms(turns: int) -> list[float]:
    """The same agent code with no Temporal: what durability costs, by difference."""
    from activities.agents.classifier import ClassifierAnalyzer
    from activities.agents.liaisons import default_liaisons
    from models.agents import TurnContext

    analyzer = ClassifierAnalyzer()
    samples = []
    for index in range(turns):
        started = time.perf_counter()
        context = TurnContext(text=MESSAGES[index % len(MESSAGES)])
        analysis = analyzer.analyze(context)
        for pillar in analysis.pillars:
            default_liaisons().recommend(pillar, context)
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
        + (f"  SESSIONS CLOSED {len(tally.refused)}: {tally.refused[0]}" if tally.refused else "")
    )


PHASES = {
    "message recorded -> next workflow task started": (
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ),
    "that task started -> child start requested (agents)": (
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    ),
    "child requested -> child started": (
        EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
    ),
    "child started -> child completed": (
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
    ),
    "child completed -> turn's last task done": (
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ),
}
"""Where an ingest turn's time goes inside Temporal, from the session's history."""


async def ingest_phases(address: str, session_id: str) -> dict[str, list[float]]:
    """Each phase's duration per ingest turn, from the session's history event times
    (the server's clock), and the realm activity's own run time from each execution's."""
    client = await Client.connect(address)
    handle = client.get_workflow_handle(f"session-{session_id}")
    events = [e async for e in handle.fetch_history_events()]
    phases: dict[str, list[float]] = {name: [] for name in PHASES}
    phases["realm activity started -> completed"] = []
    watched = {kind for pair in PHASES.values() for kind in pair}
    marks: dict[int, float] = {}
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            accepted = event.workflow_execution_update_accepted_event_attributes
            if accepted.accepted_request.input.name == "submit":
                marks = {}
        if kind not in watched or kind in marks:
            continue
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and (
            EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED not in marks
        ):
            continue
        marks[kind] = event.event_time.ToMicroseconds() / 1000
        for name, (start, end) in PHASES.items():
            if kind == end and start in marks:
                phases[name].append(marks[end] - marks[start])
        if kind == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            child = event.child_workflow_execution_started_event_attributes.workflow_execution
            execution = client.get_workflow_handle(child.workflow_id)
            times = {
                e.event_type: e.event_time.ToMicroseconds() / 1000
                async for e in execution.fetch_history_events()
            }
            phases["realm activity started -> completed"].append(
                times[EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]
                - times[EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
            )
    return phases


async def upload(api: str) -> str:
    """The small CSV, uploaded once per ingesting session (outside the timers)."""
    async with httpx.AsyncClient(base_url=api) as http:
        response = await http.post("/api/files", files={"file": ("sales.csv", SALES, "text/csv")})
        response.raise_for_status()
        return str(response.json()["file_id"])


async def scenario(
    url: str, sessions: int, turns: int, file_ids: list[str] | None = None, warmup: int = 0
) -> tuple[Tally, float]:
    """`sessions` clients at once, `turns` timed each (after `warmup` untimed ones);
    ingest turns when given their files."""
    tally = Tally()
    started = time.perf_counter()
    ended = await asyncio.gather(
        *(
            session(
                url,
                turns + warmup,
                tally,
                file_id=file_ids[index] if file_ids else None,
                warmup=warmup,
            )
            for index in range(sessions)
        ),
        return_exceptions=True,
    )
    tally.refused = [str(end) for end in ended if isinstance(end, ConnectionClosed)]
    for end in ended:
        if isinstance(end, BaseException) and not isinstance(end, ConnectionClosed):
            raise end
    return tally, time.perf_counter() - started


async def run(stack: launcher.Stack, quick: bool, long_session: int) -> None:
    url = stack.api_url().replace("http", "ws") + "/api/runtime/agent"
    address = stack.temporal_address
    api_pid = stack.processes["api0"].pid
    worker_pid = stack.processes["worker0"].pid
    one = 30 if quick else 100
    crowd = 50 if quick else 200

    base = OneSession()
    local = in_process_ms(500)
    chat, chat_elapsed, ingest, ingest_elapsed = Tally(), 0.0, Tally(), 0.0
    file_id = await upload(stack.api_url())
    for _ in range(ROUNDS):
        await base.sample(address, one // ROUNDS)
        part, took = await scenario(url, 1, one // ROUNDS, warmup=1)
        chat.add(part)
        chat_elapsed += took
        part, took = await scenario(url, 1, one // ROUNDS, [file_id], warmup=1)
        ingest.add(part)
        ingest_elapsed += took
    baselines = Baselines(pct(base.stream, 0.5), pct(local, 0.5))
    for label, samples in (
        ("no-op Update", base.noop),
        ("Update running 2 local activities", base.two_local),
        ("stream floor (submit + poll Updates, 2 local activities)", base.stream),
        ("ingest floor (Update: LA, child with LA + activity, LA)", base.ingest),
    ):
        print(
            f"raw floor, 1 session, {label}: p50 {pct(samples, 0.5):.1f} ms, "
            f"p99 {pct(samples, 0.99):.1f} ms"
        )
    print(f"in-process, no Temporal: turn p50 {baselines.in_process_ms:.3f} ms")
    report(f"1 session x {one}", chat, chat_elapsed, baselines)
    report(f"1 session x {one} ingest", ingest, ingest_elapsed, baselines)
    phases: dict[str, list[float]] = {}
    for session_id in ingest.sessions:
        for name, durations in (await ingest_phases(address, session_id)).items():
            phases.setdefault(name, []).extend(durations)
    print("where an ingest turn's time goes (p50 per turn, server clock):")
    for name, durations in phases.items():
        print(f"  {name:48} {pct(durations, 0.5):7.1f} ms")

    crowds: dict[str, tuple[Tally, float, Floor]] = {}
    for sessions, turns in [(50, 5)] + ([] if quick else [(200, 5)]):
        tally, elapsed = await scenario(url, sessions, turns)
        floor = await stream_floor(address, sessions, turns)
        crowds[f"{sessions} sessions x {turns}"] = (tally, elapsed, floor)
    files = [await upload(stack.api_url()) for _ in range(crowd)]
    tally, elapsed = await scenario(url, crowd, 5, files)
    crowds[f"{crowd} sessions x 5 ingest"] = (tally, elapsed, await ingest_floor(address, crowd, 5))
    for name, (tally, elapsed, floor) in crowds.items():
        report(name, tally, elapsed, baselines)
        rate = len(tally.samples) / elapsed
        per_turn = await history_per_turn(address, tally.sessions[:5], 5)
        print(
            f"{'':26} floor {floor.rate:6.1f} turns/s -> {rate / floor.rate:4.0%} of the floor "
            f"(floor turn p50/p99 {pct(floor.latencies, 0.5):.1f}/"
            f"{pct(floor.latencies, 0.99):.1f} ms); history {per_turn:.1f} events/turn"
        )

    per_socket = await idle_sockets(url, api_pid, 200 if quick else 1000)
    print(f"idle sockets: API RSS {per_socket:.0f} KiB per socket")
    try:
        alone, loaded = await flood_effect(guarded_api(stack), 20 if quick else 40)
    except ConnectionClosed as closed:
        print(f"flood: no figure, the measured session was closed ({closed})")
    else:
        print(
            f"flood: other client's turn p95 {alone:.1f} ms alone, {loaded:.1f} ms under flood "
            f"({loaded / alone - 1:+.0%})"
        )
    if long_session:
        await long_conversation(stack, url, long_session, baselines)
    print(
        f"peak RSS: worker {peak_rss_mib(worker_pid):.0f} MiB, API {peak_rss_mib(api_pid):.0f} MiB"
    )

    crowd_tally, crowd_elapsed, crowd_floor = crowds[f"{crowd} sessions x 5 ingest"]
    accepted = pct([s.accepted for s in chat.samples], 0.5)
    answered = pct([s.completed for s in chat.samples], 0.5)
    ingested = pct([s.completed for s in ingest.samples], 0.5)
    crowd_rate = len(crowd_tally.samples) / crowd_elapsed / crowd_floor.rate
    faults = crowd_tally.lost + crowd_tally.duplicated + crowd_tally.out_of_order
    faults += len(crowd_tally.refused)
    print(f"goals, this run (load average {os.getloadavg()[0]:.1f}):")
    noop, two_local, floor_ingest = (pct(x, 0.5) for x in (base.noop, base.two_local, base.ingest))
    for name, value, goal, holds in (
        (
            "message.accepted p50 / no-op Update p50",
            accepted / noop,
            "<= 1.5",
            accepted <= 1.5 * noop,
        ),
        (
            "no-intent turn.completed p50 / Update with 2 LAs p50",
            answered / two_local,
            "<= 1.3",
            answered <= 1.3 * two_local,
        ),
        ("ingest turn.completed p50, ms", ingested, "< 100", ingested < 100),
        (
            "ingest turn p50 / ingest floor p50",
            ingested / floor_ingest,
            "<= 1.2",
            ingested <= 1.2 * floor_ingest,
        ),
        (
            f"{crowd} x 5 ingest: turns/s / ingest floor's turns/s",
            crowd_rate,
            ">= 0.8",
            crowd_rate >= 0.8,
        ),
        (
            f"{crowd} x 5 ingest: events lost + duplicated + out of order + sessions closed",
            faults,
            "0",
            faults == 0,
        ),
    ):
        print(f"  {name:58} {value:8.2f}  goal {goal:8} {'met' if holds else 'NOT MET'}")


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
    "SYMPHAINY_MAX_CONNECTIONS_PER_ADDRESS": "0",
}
"""Load clients send faster than people do: the main API lifts the frame rate limits
(and the per-address connection cap: every load client comes from 127.0.0.1)."""


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
