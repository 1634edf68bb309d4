"""Parses one workbook in a child process with resource limits (run by `sheets.py`).

Usage: python -m activities.realms.reading.sheet_child '<json request>'

Memory (address space beyond what the imports mapped) and CPU time are capped before
the workbook is opened, so a workbook that gets past the guard's counts still cannot
take the worker with it: the kernel stops this process, and a cancel kills it. Every
sheet is listed with its size; the requested one, or the one with the most filled
cells, is written as text columns (Arrow IPC) for the parent to type. The answer is
one JSON line on stdout.
"""

import json
import resource
import sys
from typing import Any


def _limit(memory: int, cpu: int) -> None:
    """Address space: what the process has mapped after its imports, plus `memory`."""
    with open("/proc/self/status") as status:
        mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (mapped + memory, mapped + memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main(request: dict[str, Any]) -> dict[str, Any]:
    """Read the workbook, list its sheets, write the chosen one; the answer for stdout.

    fastexcel (calamine underneath) gives each sheet as Arrow text columns: whole
    numbers without ".0", dates in ISO, booleans as true/false, which the parent types
    as it types a CSV.
    """
    import fastexcel
    import polars as pl

    _limit(request["memory"], request["cpu"])
    book = fastexcel.read_excel(request["path"])
    sheets = []
    chosen: tuple[str, pl.DataFrame, int] | None = None
    for name in book.sheet_names:
        cells = book.load_sheet(name, header_row=None, dtypes="string").to_polars()
        filled = (
            int(cells.select(pl.all().is_not_null().sum()).sum_horizontal().item())
            if cells.width
            else 0
        )
        sheets.append({"name": name, "rows": cells.height, "columns": cells.width})
        wanted = request["sheet"]
        if (wanted is None and (chosen is None or filled > chosen[2])) or wanted == name:
            chosen = (name, cells, filled)
    if chosen is None or not chosen[1].width:
        return {"sheets": sheets, "sheet": None}
    name, cells, _ = chosen
    cells.columns = [f"c{i}" for i in range(cells.width)]
    cells.write_ipc(request["out"])
    return {"sheets": sheets, "sheet": name}


if __name__ == "__main__":
    try:
        answer = main(json.loads(sys.argv[1]))
    except MemoryError:
        answer = {"error": "memory"}
    except Exception as err:  # the parent turns any parse failure into corrupt_file
        answer = {"error": "corrupt", "detail": f"{type(err).__name__}: {err}"[:300]}
    sys.stdout.write(json.dumps(answer) + "\n")
