"""The start command under a supervisor: signals stop everything, a kill leaves nothing.

Each test runs `python -m launcher` (what `scripts/start` execs) on free ports, waits for
its "ready" lines, then stops it the way systemd, a container runtime, `timeout` or a
closed terminal would, and checks that no process it started is left and its ports are free.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import launcher

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "Ctrl-C stops all three."
STARTUP_WAIT = 90.0


@dataclass
class Started:
    process: subprocess.Popen[str]
    ports: list[int]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    reader: threading.Thread | None = None

    def output(self) -> list[str]:
        """Every line, once every writer (the launcher and its children) has closed."""
        assert self.reader is not None
        self.reader.join(timeout=30)
        return [line for line in self.lines if line.strip()]

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if READY_LINE in line:
                self.ready.set()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Started]:
    ports = [launcher.free_port() for _ in range(3)]
    flags = ["--temporal-port", "--ui-port", "--api-port"]
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "launcher", "--data-dir", str(tmp_path / "data")),
            *(item for flag, port in zip(flags, ports, strict=True) for item in (flag, str(port))),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Started(process, ports)
    run.reader = reader = threading.Thread(target=run.read, daemon=True)
    reader.start()
    try:
        assert run.ready.wait(STARTUP_WAIT), "\n".join(run.lines)
        yield run
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(timeout=10)


def _children() -> dict[int, list[int]]:
    """Every live process's children, from /proc (zombies count as gone)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree = _children()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (not gone, not a zombie)."""
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            living.add(pid)
    return living


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_gone(pids: set[int], ports: list[int], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while (_alive(pids) or any(_listening(p) for p in ports)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pids), f"left running: {_alive(pids)}"
    assert not [p for p in ports if _listening(p)], "ports still taken"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_stops_everything_it_started(started: Started, signum: int) -> None:
    children = _descendants(started.process.pid)
    assert len(children) == 3, children
    started.process.send_signal(signum)
    assert started.process.wait(timeout=60) == 0
    _wait_gone(children, started.ports)


def test_killing_the_launcher_leaves_nothing(started: Started) -> None:
    children = _descendants(started.process.pid)
    assert len(children) == 3, children
    os.kill(started.process.pid, signal.SIGKILL)
    started.process.wait(timeout=10)
    _wait_gone(children, started.ports)


def test_the_output_is_the_few_lines_a_user_needs(started: Started) -> None:
    started.process.send_signal(signal.SIGTERM)
    started.process.wait(timeout=60)
    lines = started.output()
    assert not [line for line in lines if "HTTP Request" in line], lines
    assert lines[:4] == [
        f"API:         http://127.0.0.1:{started.ports[2]}",
        f"WebSocket:   ws://127.0.0.1:{started.ports[2]}/api/runtime/agent",
        f"Temporal UI: http://127.0.0.1:{started.ports[1]}",
        READY_LINE,
    ]
    assert len(lines) <= 6, lines
