"""1,000 slow clients against the API: its open files, and another client's turn p95.

Run: `.venv/bin/python -m bench.slow_clients` (`--clients`, `--seconds`, `--turns`). It
starts its own stack and two API processes on loopback: one with
`launcher.UVICORN_FLAGS` (the guarded protocols) and, as the same run's baseline, one
with uvicorn's stock protocols. Against each, the slow clients connect from 127.0.0.2
(a second loopback address; the measured client uses 127.0.0.1) and drip a WebSocket
handshake one byte a second; a client the server closes connects again, so the attack
keeps its pressure for the whole window. Meanwhile the API's open files
(`/proc/<pid>/fd`) and CPU time are sampled, and a measured client runs turns at the
per-socket rate. Two attacks: each client connects once (`once`), and each connects
again as soon as the server lets go (`persistent`, a slowloris that keeps its count up).
Everything is bounded: `--clients` tasks, `--seconds` of attack, loopback only. The
attackers run on the same cores as the API, so their own CPU counts against the turns.
"""

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import launcher
from bench.load import Tally, pct, session
from settings import Settings

ATTACKER = "127.0.0.2"
DRIP_SECONDS = 1.0
STOCK_FLAGS = ["--ws", "websockets-sansio", "--ws-max-size", str(1024 * 1024)]
"""uvicorn's own protocols: what the API ran before `api/protocols.py`."""


@dataclass
class Attack:
    """What the slow clients saw."""

    connects: int = 0
    refused: int = 0
    closed_by_server: int = 0
    lifetimes: list[float] = field(default_factory=list)


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def slow_client(port: int, stop: asyncio.Event, attack: Attack, persistent: bool) -> None:
    """Drip a handshake a byte a second; reconnect when the server lets go if persistent."""
    request = (
        f"GET /api/runtime/agent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(ATTACKER, 0)
            )
        except OSError:
            attack.refused += 1
            await _pause(stop, DRIP_SECONDS)
            continue
        attack.connects += 1
        opened = time.monotonic()
        try:
            for byte in request:
                if stop.is_set():
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                if await _answered(reader):
                    attack.closed_by_server += 1
                    break
        except OSError:
            attack.closed_by_server += 1
        attack.lifetimes.append(time.monotonic() - opened)
        writer.close()
        if not persistent:
            return


async def _answered(reader: asyncio.StreamReader) -> bool:
    """Whether the server answers or closes within one drip interval."""
    try:
        await asyncio.wait_for(reader.read(65536), DRIP_SECONDS)
    except TimeoutError:
        return False
    return True


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def attack(port: int, clients: int, seconds: float, persistent: bool) -> Attack:
    """The slow clients, for `seconds` (run in a child process: `--attack PORT`)."""
    stop = asyncio.Event()
    seen = Attack()
    attackers = [
        asyncio.create_task(slow_client(port, stop, seen, persistent)) for _ in range(clients)
    ]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*attackers)
    return seen


async def measure(
    url: str, port: int, pid: int, clients: int, seconds: float, turns: int, persistent: bool
) -> dict[str, float]:
    """Turn p95 and open files without the attack (after a warm-up), then during it.

    The attackers run in a child process, so their event loop is not the measured
    client's.
    """
    pace = 1 / Settings.model_fields["rate_per_socket"].default
    await session(url, turns, Tally(), pace)
    quiet = Tally()
    files_before = open_files(pid)
    await session(url, turns, quiet, pace)
    cpu_before = cpu_seconds(pid)
    args = ["--attack", str(port), "--clients", str(clients), "--seconds", str(seconds)]
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.slow_clients",
        *args,
        *(["--persistent"] if persistent else []),
        stdout=asyncio.subprocess.PIPE,
    )
    started = time.monotonic()
    samples: list[int] = []
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            samples.append(open_files(pid))
            await _pause(stop, 0.5)

    sampler = asyncio.create_task(sample())
    await asyncio.sleep(min(5.0, seconds / 4))
    loaded = Tally()
    await session(url, turns, loaded, pace)
    output, _ = await child.communicate()
    window = time.monotonic() - started
    api_cpu = (cpu_seconds(pid) - cpu_before) / window
    stop.set()
    await sampler
    seen = json.loads(output)
    return {
        "files_before": files_before,
        "files_peak": max(samples),
        "files_median": sorted(samples)[len(samples) // 2],
        "p95_alone": pct([s.completed for s in quiet.samples], 0.95),
        "p95_attacked": pct([s.completed for s in loaded.samples], 0.95),
        "connects": seen["connects"],
        "closed_by_server": seen["closed_by_server"],
        "lifetime_p50": seen["lifetime_p50"],
        "api_cpu": api_cpu,
        "attackers_cpu": seen["cpu_seconds"] / window,
    }


async def run(stack: launcher.Stack, clients: int, seconds: float, turns: int) -> None:
    for persistent in (False, True):
        for name, index in (("guarded (UVICORN_FLAGS)", 0), ("stock uvicorn", 1)):
            port = stack.api_ports[index]
            pid = stack.processes[f"api{index}"].pid
            url = f"ws://127.0.0.1:{port}/api/runtime/agent"
            f = await measure(url, port, pid, clients, seconds, turns, persistent)
            print(
                f"{'persistent' if persistent else 'once':10} {name:23} {clients} slow clients, "
                f"{seconds:.0f} s: API open files {f['files_before']:.0f} before, peak "
                f"{f['files_peak']:.0f}, median {f['files_median']:.0f}; API CPU "
                f"{100 * f['api_cpu']:.0f}% (attackers "
                f"{100 * f['attackers_cpu']:.0f}%); other client's turn p95 "
                f"{f['p95_alone']:.1f} ms "
                f"without, {f['p95_attacked']:.1f} ms during "
                f"(x{f['p95_attacked'] / f['p95_alone']:.2f}); connections {f['connects']:.0f}, "
                f"closed by the server {f['closed_by_server']:.0f}, lifetime p50 "
                f"{f['lifetime_p50']:.1f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--attack", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--persistent", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.attack:
        seen = asyncio.run(
            attack(options.attack, options.clients, options.seconds, options.persistent)
        )
        lifetimes = sorted(seen.lifetimes) or [0.0]
        print(
            json.dumps(
                {
                    "connects": seen.connects,
                    "closed_by_server": seen.closed_by_server,
                    "lifetime_p50": lifetimes[len(lifetimes) // 2],
                    "cpu_seconds": cpu_seconds(os.getpid()),
                }
            )
        )
        return
    with tempfile.TemporaryDirectory() as tmp, launcher.running(Path(tmp)) as stack:
        stock = launcher.start_api(stack, launcher.free_port(), "api1", flags=STOCK_FLAGS)
        launcher.wait_ready(stack.api_url(1))
        assert stock.poll() is None
        asyncio.run(run(stack, options.clients, options.seconds, options.turns))


if __name__ == "__main__":
    main()
