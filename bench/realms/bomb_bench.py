"""Spreadsheet bombs against a real stack: the worker's peak RSS and the time to refusal.

Run: `.venv/bin/python -m bench.realms.bomb_bench`. It starts a Temporal dev server, a
worker and an API (launcher.running), uploads each hostile workbook (made by
tests/bombs.py), starts `ingest_file` over REST and waits for its end. Reported per
bomb: the outcome, the time from the intent's start to its refusal, and the worker's
peak RSS (VmHWM) before and after. The baseline, measured in the same run, is the
platform's former reading (pandas.read_excel with openpyxl) in its own process, capped
at 6 GiB of address space and 90 s of wall time.
"""

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import launcher
from tests.bombs import cells_bomb, shared_strings_bomb
from tests.client import Api

CAP_BYTES = 6 * 1024**3
CAP_SECONDS = 90
BASELINE = """
import resource, sys, time
import pandas as pd
started = time.perf_counter()
try:
    pd.read_excel(sys.argv[1], engine="openpyxl")
    outcome = "read"
except MemoryError:
    outcome = "MemoryError"
print(outcome, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def baseline(path: Path) -> str:
    """The former reading of the bomb, in a capped process of its own."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", BASELINE, str(path)],
            capture_output=True,
            text=True,
            timeout=CAP_SECONDS,
            preexec_fn=_cap,
        )
    except subprocess.TimeoutExpired:
        return f"still parsing after {CAP_SECONDS} s (killed)"
    words = done.stdout.split()
    if len(words) != 3:
        return f"died after {time.perf_counter() - started:.1f} s ({done.returncode})"
    outcome, seconds, peak = words
    return f"{outcome} after {float(seconds):.1f} s, peak RSS {int(peak) / 1024:,.0f} MiB"


def main() -> None:
    bombs: list[tuple[str, Callable[[Path], Path]]] = [
        ("shared strings expanding to 1 GiB", shared_strings_bomb),
        ("6,000,000 cells", cells_bomb),
    ]
    with tempfile.TemporaryDirectory() as tmp, launcher.running(Path(tmp) / "data") as stack:
        api = Api(stack.api_url())
        worker = stack.processes["worker0"].pid
        for label, make in bombs:
            path = make(Path(tmp) / "bomb.xlsx")
            ref = api.upload("bomb.xlsx", path.read_bytes(), "application/octet-stream")
            before = _peak_mib(worker)
            started = time.perf_counter()
            done = api.wait_execution(api.start("ingest_file", {"file_id": ref["file_id"]}), 300)
            seconds = time.perf_counter() - started
            error = done.get("error") or {}
            print(f"{label}: {path.stat().st_size / 1024**2:.2f} MiB on disk")
            print(
                f"  platform: {done['status']} {error.get('type')} (retryable "
                f"{error.get('retryable')}, attempts {done.get('attempts')}) in {seconds:.2f} s; "
                f"worker peak RSS {before:,.0f} -> {_peak_mib(worker):,.0f} MiB"
            )
            print(f"  baseline (pandas + openpyxl): {baseline(path)}")


if __name__ == "__main__":
    main()
