"""Where a turn can acknowledge its message, raw: five shapes, no project code.

Issue 21 asks for two ratios at once: `message.accepted` within 1.5x a no-op Update, and
a turn with no intent within 1.3x an Update running two local activities. This measures,
on one fresh dev server with the launcher's configuration, the ways a message can
become durable and its turn run, with the floor's two no-op local activities as agents:

- `one task`: the `submit` Update records the message and the turn runs its agents in
  the same workflow task; the Update answers when they are done (a local activity keeps
  its task, and the Update's answer, open).
- `next task`: `submit` answers at once; the standing stream poll answers with the
  acknowledgement, the client polls again, and that Update's task runs the agents (what
  the platform did first with patch `accept-before-agents`).
- `poll after`: no poll waits at the server; `submit` answers at once, the client then
  polls past it, and that Update's task runs the agents (what the platform does since
  the feed polls for the next message, `Feed.settle`).
- `alongside`: as `poll after`, but the poll goes out 2 ms after `submit` without
  waiting for it, asking past the acknowledgement; it waits at the server and starts
  the agents' task the moment `submit`'s ends (the poll that reaches `submit`'s own
  task instead leaves the agents to the 500 ms fallback timer, as in the platform).
- `signal`: the message is a signal, durable when the signal call returns; its
  workflow task, dispatched through matching, runs the agents.

Each prints the acknowledgement's and the turn's p50 against the no-op Update and the
Update running two local activities of the same run.

`.venv/bin/python -m bench.accept [--rounds 40]`
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench.devserver import LAUNCHER, connectable, serve
from bench.floor import AGENTS, AcceptShapes, noop

LEAD = 0.002
"""Seconds between sending `submit` and the poll sent alongside it (`alongside`): sent
together, the poll reached `submit`'s own task in 34 of 40 turns; 1 ms ahead, 5 of 40;
2 ms, none (a raw probe on this machine, 2026-12-05)."""
POLL_SETTLES = 0.03
"""Seconds for the feed's poll to reach the workflow before the message is sent."""


Handle = WorkflowHandle[AcceptShapes, None]


async def follow(handle: Handle, seen: list[int], wakes_on_record: bool) -> float:
    """The client's feed: poll until the turn is answered, polling again at once; the
    time it saw the answer. Only the `next task` shape's feed wakes on the record."""
    answered = seen[1]
    while seen[1] == answered:
        ask = seen if wakes_on_record else [-1, seen[1]]
        seen = await handle.execute_update(AcceptShapes.poll, ask)
    return time.perf_counter()


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def turn(
    handle: Handle, send: Callable[[], Awaitable[object]], wakes_on_record: bool
) -> tuple[float, float]:
    """(acknowledged, answered) ms for one message sent by `send`, with the feed's poll
    already waiting, as the API's is."""
    seen = await handle.execute_update(AcceptShapes.poll, [-1, -1])
    feed = asyncio.create_task(follow(handle, seen, wakes_on_record))
    await asyncio.sleep(POLL_SETTLES)
    started = time.perf_counter()
    await send()
    acknowledged = ms(started)
    return acknowledged, (await feed - started) * 1000


async def polled_after(handle: Handle) -> tuple[float, float]:
    """(acknowledged, answered) ms in the platform's shape: no poll waits at the server;
    `submit` answers at once, the client then polls past it, and that Update's workflow
    task runs the agents."""
    seen = await handle.execute_update(AcceptShapes.poll, [-1, -1])
    started = time.perf_counter()
    recorded = await handle.execute_update(AcceptShapes.submit, True)
    acknowledged = ms(started)
    answered = await follow(handle, [recorded, seen[1]], wakes_on_record=True)
    return acknowledged, (answered - started) * 1000


async def polled_alongside(handle: Handle) -> tuple[float, float]:
    """(acknowledged, answered) ms when the poll goes out `LEAD` after `submit`, asking
    past the acknowledgement, so that it waits at the server for `submit`'s task to end
    and its own task runs the agents at once. Sent together, the poll often reaches the
    same task as `submit`, and then only the fallback timer starts the agents."""
    seen = await handle.execute_update(AcceptShapes.poll, [-1, -1])
    started = time.perf_counter()
    submit = asyncio.create_task(handle.execute_update(AcceptShapes.submit, True))
    await asyncio.sleep(LEAD)
    poll = asyncio.create_task(handle.execute_update(AcceptShapes.poll, [-1, seen[1]]))
    await submit
    acknowledged = ms(started)
    await poll
    return acknowledged, ms(started)


async def measure(address: str, rounds: int) -> dict[str, list[float]]:
    client = await Client.connect(address)
    queue = f"accept-{uuid.uuid4().hex}"
    samples: dict[str, list[float]] = {}
    async with Worker(client, task_queue=queue, workflows=[AcceptShapes], activities=[noop]):
        handle: Handle = await client.start_workflow(AcceptShapes.run, id=queue, task_queue=queue)
        await handle.execute_update(AcceptShapes.noop)
        shapes: dict[str, Callable[[], Awaitable[object]]] = {
            "one task": lambda: handle.execute_update(AcceptShapes.submit, False),
            "next task": lambda: handle.execute_update(AcceptShapes.submit, True),
            "signal": lambda: handle.signal(AcceptShapes.message),
        }
        for _ in range(rounds):
            for name, update in (("noop", AcceptShapes.noop), ("agents", AcceptShapes.agents)):
                started = time.perf_counter()
                await handle.execute_update(update)
                samples.setdefault(name, []).append(ms(started))
            for name, send in shapes.items():
                acknowledged, answered = await turn(handle, send, name == "next task")
                samples.setdefault(f"{name} ack", []).append(acknowledged)
                samples.setdefault(f"{name} turn", []).append(answered)
            for name, shape in (("poll after", polled_after), ("alongside", polled_alongside)):
                acknowledged, answered = await shape(handle)
                samples.setdefault(f"{name} ack", []).append(acknowledged)
                samples.setdefault(f"{name} turn", []).append(answered)
        await handle.signal(AcceptShapes.stop)
    return samples


def report(samples: dict[str, list[float]]) -> None:
    p50 = {name: statistics.median(values) for name, values in samples.items()}
    print(
        f"no-op Update {p50['noop']:.1f} ms; Update running {AGENTS} local activities "
        f"{p50['agents']:.1f} ms (p50)"
    )
    print(f"{'shape':10} {'ack ms':>8} {'/ no-op':>8} {'turn ms':>8} {'/ agents':>9}")
    for shape in ("one task", "next task", "poll after", "alongside", "signal"):
        ack, answered = p50[f"{shape} ack"], p50[f"{shape} turn"]
        print(
            f"{shape:10} {ack:8.1f} {ack / p50['noop']:8.2f} "
            f"{answered:8.1f} {answered / p50['agents']:9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, port = serve(LAUNCHER, Path(tmp))
        try:
            address = f"127.0.0.1:{port}"
            asyncio.run(connectable(address))
            report(asyncio.run(measure(address, options.rounds)))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
