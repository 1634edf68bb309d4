"""Starts the embedded stack as real processes: Temporal dev server, worker(s), API(s).

`python -m launcher` is what `scripts/start` runs; the tests and the benchmarks use the
same functions, so what they exercise is what a user starts.
"""

import argparse
import ctypes
import ctypes.util
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType

import httpx

from models.search import ALL as SEARCH_ATTRIBUTES

log = logging.getLogger("launcher")
ROOT = Path(__file__).resolve().parent
TEMPORAL = Path(sys.executable).parent / "temporal"


def free_port() -> int:
    """A port nothing listens on right now (loopback)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    """The processes of one running stack and where to reach them."""

    data_dir: Path
    temporal_port: int
    ui_port: int | None
    api_ports: list[int] = field(default_factory=list)
    task_queue: str = "symphainy"
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    search_attributes: bool = True
    """False: a plain dev server, as an operator may have one (the processes register them)."""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    delta_urls: list[str] = field(default_factory=list)
    """The APIs the workers post agent deltas to (set before the workers start)."""
    delta_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Shared by this stack's workers and APIs only; made anew for each stack."""

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    def api_url(self, index: int = 0) -> str:
        return f"http://127.0.0.1:{self.api_ports[index]}"

    def plan_apis(self, count: int) -> list[int]:
        """Free ports for `count` APIs, told to the workers (started first) as where
        agent deltas go."""
        ports = [free_port() for _ in range(count)]
        self.delta_urls = [f"http://127.0.0.1:{port}" for port in ports]
        return ports

    def env(self) -> dict[str, str]:
        """The settings every child process reads (see settings.py)."""
        ui = f"http://127.0.0.1:{self.ui_port}" if self.ui_port else "http://localhost:8233"
        return {
            **os.environ,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "SYMPHAINY_DATA_DIR": str(self.data_dir),
            "SYMPHAINY_TEMPORAL_UI_URL": ui,
            "SYMPHAINY_DELTA_URLS": json.dumps(self.delta_urls),
            "SYMPHAINY_DELTA_SECRET": self.delta_secret,
            **self.extra_env,
        }


DEV_SERVER_DYNAMIC_CONFIG: dict[str, int | str] = {
    "history.transferProcessorMaxPollRPS": 1000,
    "history.timerProcessorMaxPollRPS": 1000,
    "history.timerProcessorMaxTimeShift": "1ms",
}
"""Read the history service's queues as soon as they have work, not 20 times a second,
and fire timers when due, not up to 1 s late. Measured on 2 cores: see README "Dev
server", which gives each value's trade-off. deploy/ sets the same for the cluster."""

DEV_SERVER_SQLITE_PRAGMAS: dict[str, str] = {"journal_mode": "wal", "synchronous": "normal"}
"""Write the dev server's database file through a write-ahead log, synced at checkpoints
instead of at every commit: a child workflow took ~70 → ~43 ms here. A killed server
loses nothing committed; a power cut may lose the last commits, not the file. See README
"Dev server"; the compose cluster runs on PostgreSQL and is not concerned."""


def dev_server_options(dynamic: dict[str, int | str], pragmas: dict[str, str]) -> list[str]:
    """`temporal server start-dev` flags for a dynamic configuration and SQLite pragmas."""
    args = []
    for option, value in dynamic.items():
        args += ["--dynamic-config-value", f"{option}={json.dumps(value)}"]
    for pragma, setting in pragmas.items():
        args += ["--sqlite-pragma", f"{pragma}={setting}"]
    return args


def start_temporal(stack: Stack) -> None:
    """The dev server with a persistent db file and (unless told not to) our search attributes."""
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(TEMPORAL),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(stack.temporal_port),
        "--db-filename",
        str(stack.data_dir / "temporal.db"),
        "--log-level",
        "error",
    ]
    args += ["--ui-port", str(stack.ui_port)] if stack.ui_port else ["--headless"]
    args += dev_server_options(DEV_SERVER_DYNAMIC_CONFIG, DEV_SERVER_SQLITE_PRAGMAS)
    for attribute in SEARCH_ATTRIBUTES if stack.search_attributes else ():
        args += ["--search-attribute", f"{attribute.name}=Keyword"]
    logs = stack.log_dir or stack.data_dir
    server = _spawn(stack, "temporal", args, log_dir=logs)
    _wait_for_port(server, stack.temporal_port, timeout=60, log=logs / "temporal.log")


def start_worker(stack: Stack, name: str = "worker") -> subprocess.Popen[bytes]:
    """`python worker.py`, exactly as an operator runs it."""
    return _spawn(stack, name, [sys.executable, str(ROOT / "worker.py")])


UVICORN_FLAGS = [
    "--http",
    "api.protocols:GuardedHttpProtocol",
    "--ws",
    "api.protocols:GuardedWebSocketProtocol",
    "--ws-max-size",
    str(1024 * 1024),
    "--ws-per-message-deflate",
    "false",
]
"""uvicorn's httptools and sans-I/O protocols with bounds for slow and malformed clients
(`api/protocols.py`); the sans-I/O one pauses `send` while the transport is full (real
backpressure); frames over 1 MiB close the socket with 1009; no per-message deflate."""


def start_api(
    stack: Stack,
    port: int,
    name: str = "api",
    env: dict[str, str] | None = None,
    log_level: str = "warning",
    flags: Sequence[str] = UVICORN_FLAGS,
) -> subprocess.Popen[bytes]:
    """`uvicorn api.main:app` with the flags above (a benchmark's baseline may differ)."""
    stack.api_ports.append(port)
    args = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--log-level", log_level, *flags]
    return _spawn(stack, name, args, env)


def wait_ready(url: str, timeout: float = 60) -> None:
    """Until `/readyz` says Temporal answers and a worker polls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checkpoint()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} was not ready within {timeout}s")


STOP_PATIENCE = 10.0
"""Seconds a process gets after SIGTERM before SIGKILL (the API needs 5 for its 1001s)."""


def stop(stack: Stack) -> None:
    """SIGTERM the APIs and workers together, then Temporal; SIGKILL whatever lingers."""
    first = [p for name, p in stack.processes.items() if name != "temporal"]
    last = [p for name, p in stack.processes.items() if name == "temporal"]
    for group in (first, last):
        for process in group:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_PATIENCE
        for process in group:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running(
    data_dir: Path,
    *,
    ui: bool = False,
    workers: int = 1,
    apis: int = 1,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    search_attributes: bool = True,
    api_log_level: str = "warning",
) -> Iterator[Stack]:
    """A whole stack on free ports, torn down on exit."""
    stack = Stack(
        data_dir=data_dir,
        temporal_port=free_port(),
        ui_port=free_port() if ui else None,
        log_dir=log_dir,
        extra_env=env or {},
        search_attributes=search_attributes,
    )
    try:
        _start_temporal_on_a_free_port(stack)
        ports = stack.plan_apis(apis)
        for index in range(workers):
            start_worker(stack, f"worker{index}")
        for index, port in enumerate(ports):
            start_api(stack, port, f"api{index}", log_level=api_log_level)
        for index in range(apis):
            wait_ready(stack.api_url(index))
        yield stack
    finally:
        stop(stack)


def _start_temporal_on_a_free_port(stack: Stack, tries: int = 3) -> None:
    """`free_port` only finds a port free for now: another process can take it before
    the server binds it (the server then exits), so a new stack tries a fresh port."""
    for attempt in range(tries):
        try:
            start_temporal(stack)
            return
        except RuntimeError:
            if attempt == tries - 1:
                raise
            stack.temporal_port = free_port()


def _spawn(
    stack: Stack,
    name: str,
    args: Sequence[str],
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
) -> subprocess.Popen[bytes]:
    """A child in its own session that dies with the launcher; its output goes to
    `<log_dir>/<name>.log`, or to the launcher's own output without a log dir."""
    log_dir = log_dir or stack.log_dir
    output = open(log_dir / f"{name}.log", "ab") if log_dir else None  # noqa: SIM115
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**stack.env(), **(env or {})},
        stdout=output,
        stderr=output,
        start_new_session=True,
        preexec_fn=partial(_die_with_parent, os.getpid()),
    )
    stack.processes[name] = process
    return process


def _die_with_parent(parent: int) -> None:
    """In the child before exec: the kernel SIGKILLs it when the launcher dies, even by
    SIGKILL (Linux `PR_SET_PDEATHSIG`). Its own session keeps a terminal's Ctrl-C for the
    launcher, which stops the stack in order."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None


def _wait_for_port(process: subprocess.Popen[bytes], port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checkpoint()
        if process.poll() is not None:
            raise RuntimeError(
                f"the Temporal dev server exited with {process.returncode}; see {log}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {port} within {timeout}s")


class Stopped(BaseException):
    """SIGTERM, SIGINT or SIGHUP reached the launcher: raised by `checkpoint`, at a
    point of our choosing, never by the signal handler itself."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_stop_requests: list[str] = []
"""The stop signals received, by name; only the launcher's own handler appends."""


def _request_stop(signum: int, frame: FrameType | None) -> None:
    """Note the signal and return. An exception raised from a handler lands wherever the
    main thread is, and inside `Popen.poll` between taking its waitpid lock and its
    `try` it leaves the lock held: `stop` then hung for ever in `wait()` (once in CI)."""
    _stop_requests.append(signal.Signals(signum).name)


def checkpoint() -> None:
    """`Stopped` if a stop signal came: every wait of the launcher's calls this."""
    if _stop_requests:
        raise Stopped(_stop_requests[0])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the embedded default until SIGTERM, SIGINT (Ctrl-C) or SIGHUP; 1 if a part died."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".data")
    parser.add_argument("--temporal-port", type=int, default=7233)
    parser.add_argument("--ui-port", type=int, default=8233)
    parser.add_argument("--api-port", type=int, default=8000)
    options = parser.parse_args(argv)
    quiet = {"SYMPHAINY_LOG_LEVEL": os.environ.get("SYMPHAINY_LOG_LEVEL", "WARNING")}
    stack = Stack(options.data_dir, options.temporal_port, options.ui_port, extra_env=quiet)
    stack.delta_urls = [f"http://127.0.0.1:{options.api_port}"]
    for signum in STOP_SIGNALS:
        signal.signal(signum, _request_stop)
    try:
        start_temporal(stack)
        start_worker(stack)
        start_api(stack, options.api_port)
        wait_ready(stack.api_url())
        log.info("API:         %s", stack.api_url())
        log.info("WebSocket:   ws://127.0.0.1:%d/api/runtime/agent", options.api_port)
        log.info("Temporal UI: http://127.0.0.1:%d", options.ui_port)
        log.info("Ctrl-C stops all three.")
        while all(p.poll() is None for p in stack.processes.values()):
            checkpoint()
            time.sleep(0.1)
        dead = [name for name, p in stack.processes.items() if p.poll() is not None]
        log.error("%s exited; stopping the stack", ", ".join(dead))
        return 1
    except Stopped as reason:
        log.info("%s: stopping", reason)
        return 0
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stop(stack)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sys.exit(main())
