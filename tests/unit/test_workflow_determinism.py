"""The workflows run outside Temporal's sandbox (`sandboxed=False`, for speed: see README
"How a turn runs"), so what the sandbox refused at run time this scan refuses here: no
workflow module reads the clock, randomness, the environment, files or threads itself.
Replay (`test_replay.py`) catches a changed command; this catches the call that would
make a command differ between runs."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_MODULES = ("time", "random", "uuid", "os", "threading", "socket", "secrets")
FORBIDDEN_CALLS = ("now", "utcnow", "today", "open", "getenv")
"""`datetime.now()` and kin; `workflow.now()` is the deterministic clock and is allowed."""


def _violations(path: Path) -> list[str]:
    """Each forbidden import or call in `path`, as `line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{node.lineno}: from {node.module}")
        elif isinstance(node, ast.Call) and _forbidden_call(node.func):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return found


def _forbidden_call(func: ast.expr) -> bool:
    """A call of a forbidden name, except through `workflow.` (its deterministic twins)."""
    if isinstance(func, ast.Name):
        return func.id in FORBIDDEN_CALLS
    if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_CALLS:
        return not (isinstance(func.value, ast.Name) and func.value.id == "workflow")
    return False


@pytest.mark.parametrize(
    "path", sorted((ROOT / "workflows").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_workflow_module_reads_the_world(path: Path) -> None:
    assert _violations(path) == []


def test_the_scan_sees_each_kind_of_call(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import time\n"
        "from random import random\n"
        "import datetime\n"
        "from temporalio import workflow\n"
        "def f() -> None:\n"
        "    datetime.datetime.now()\n"
        "    workflow.now()\n"
        "    open('x')\n"
    )
    assert _violations(planted) == [
        "1: import time",
        "2: from random",
        "6: datetime.datetime.now()",
        "8: open()",
    ]
