"""Parses one workbook in a child process with resource limits (run by `sheets.py`).

Usage: python -m activities.realms.reading.sheet_child '<json request>'

Memory (address space) and CPU time are capped before anything is imported, so a
workbook that gets past the guard's counts still cannot take the worker with it: the
kernel stops this process, and a cancel kills it. Every sheet is listed with its size;
the requested one, or the one with the most filled cells, is written as text columns
(Arrow IPC) for the parent to type. The answer is one JSON line on stdout.
"""

import json
import resource
import sys
from datetime import date, datetime, time, timedelta
from typing import Any


def _limit(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def cell_text(value: Any) -> str | None:
    """A cell as text: whole floats without ".0", dates in ISO, booleans as true/false."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, (date, time, timedelta)):
        return str(value)
    return str(value)


def _filled(rows: list[list[Any]]) -> int:
    return sum(1 for row in rows for cell in row if cell not in (None, ""))


def main(request: dict[str, Any]) -> dict[str, Any]:
    """Read the workbook, list its sheets, write the chosen one; the answer for stdout."""
    _limit(request["memory"], request["cpu"])
    import polars as pl
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(request["path"])
    sheets = []
    chosen: tuple[str, list[list[Any]], int] | None = None
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        filled = _filled(rows)
        sheets.append({"name": name, "rows": len(rows), "columns": width})
        wanted = request["sheet"]
        if (wanted is None and (chosen is None or filled > chosen[2])) or wanted == name:
            chosen = (name, rows, filled)
    if chosen is None:
        return {"sheets": sheets, "sheet": None}
    name, rows, _ = chosen
    width = max((len(r) for r in rows), default=0)
    columns = {
        f"c{i}": [cell_text(r[i]) if i < len(r) else None for r in rows] for i in range(width)
    }
    pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)).write_ipc(request["out"])
    return {"sheets": sheets, "sheet": name}


if __name__ == "__main__":
    try:
        answer = main(json.loads(sys.argv[1]))
    except MemoryError:
        answer = {"error": "memory"}
    except Exception as err:  # the parent turns any parse failure into corrupt_file
        answer = {"error": "corrupt", "detail": f"{type(err).__name__}: {err}"[:300]}
    sys.stdout.write(json.dumps(answer) + "\n")
