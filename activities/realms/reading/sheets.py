"""Workbooks: guarded, then parsed by calamine in a child process the caller can kill."""

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from activities.realms.reading.guard import check_zip
from activities.realms.reading.limits import ReadLimits
from activities.realms.reading.options import SheetInfo

POLL = 0.25
"""Seconds between looks at the child (and progress reports, which carry a cancel)."""
CHILD = "activities.realms.reading.sheet_child"


class SheetFailed(ValueError):
    """The child could not parse the workbook: `reason` is "corrupt", "memory" or "time"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Sheet:
    """Every sheet of a workbook, and the chosen one's cells as text columns."""

    sheets: list[SheetInfo]
    name: str | None
    cells: pl.DataFrame


def read_workbook(
    path: Path,
    name: str,
    sheet: str | None,
    workdir: Path,
    limits: ReadLimits,
    progress: Callable[[str, float | None], None],
) -> Sheet:
    """The workbook's sheets and the chosen one's cells; raises guard or SheetFailed errors."""
    check_zip(path, name, limits)
    out = workdir / "sheet.arrow"
    request = {
        "path": str(path),
        "out": str(out),
        "sheet": sheet,
        "memory": limits.sheet_memory_bytes,
        "cpu": limits.sheet_cpu_seconds,
    }
    answer = _run_child(json.dumps(request), 2 * limits.sheet_cpu_seconds, progress)
    sheets = [SheetInfo.model_validate(s) for s in answer["sheets"]]
    if answer["sheet"] is None:
        return Sheet(sheets, None, pl.DataFrame())
    return Sheet(sheets, str(answer["sheet"]), pl.read_ipc(out))


def _run_child(
    request: str, wall_seconds: float, progress: Callable[[str, float | None], None]
) -> dict[str, Any]:
    """The child's answer; it is killed on a cancel (progress raises) or past the wall time."""
    child = subprocess.Popen(
        [sys.executable, "-m", CHILD, request],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    started = time.monotonic()
    try:
        while child.poll() is None:
            progress("reading the workbook", None)
            if time.monotonic() - started > wall_seconds:
                raise SheetFailed("time")
            try:
                child.wait(POLL)
            except subprocess.TimeoutExpired:
                continue
        output = child.stdout.read() if child.stdout else b""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()
    return _answer(child.returncode, output)


def _answer(code: int, output: bytes) -> dict[str, Any]:
    """The child's JSON line; a child the kernel stopped (CPU limit, out of memory) says nothing."""
    try:
        answer: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SheetFailed(
            "time" if code in (-signal.SIGKILL, -signal.SIGXCPU) else "memory"
        ) from None
    if "error" in answer:
        raise SheetFailed(str(answer["error"]), str(answer.get("detail", "")))
    return answer
