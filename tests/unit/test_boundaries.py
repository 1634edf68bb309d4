"""The planes stay apart: a scan of every module's imports (the AST, so an import hidden
inside a function counts too), and a real import of the API that must load no dataframe
library."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "polars", "numpy", "pyarrow", "duckdb", "scipy", "fastexcel")

RUNTIME = (
    "activities/catalog",
    "activities/realms",
    "activities/registry.py",
    "workflows/execution.py",
)
AGENTS = ("activities/agents",)
CONVERSATION = ("workflows/conversation",)
RUNTIME_CODE = ("activities.realms", "activities.registry", "workflows.execution")
API = ("api",)

RULES = [
    (
        RUNTIME,
        ("activities.agents", "workflows.conversation", "api"),
        "the Runtime knows no agents",
    ),
    (AGENTS, ("activities.realms", "activities.registry"), "agents read the catalog, not realms"),
    (CONVERSATION, RUNTIME_CODE, "the conversation starts executions by name"),
    (API, ("activities.agents", "activities.registry", *HEAVY), "the API runs no realm code"),
    (("activities/catalog",), HEAVY, "the catalog is cheap to read"),
]


ALLOWED = {
    ("activities/agents/llm.py", "activities.realms.query"),
}
"""Known crossings, each with its reason. The LLM's SQL is checked by the query realm's
own `explain` (the whitelist, then DuckDB binding it against empty tables) before the
liaison accepts it, so a model's query is refused by the same rules that run it."""


def _modules(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        target = ROOT / path
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _breaks(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize(("sources", "forbidden", "why"), RULES, ids=[r[2] for r in RULES])
def test_no_module_crosses_a_boundary(
    sources: tuple[str, ...], forbidden: tuple[str, ...], why: str
) -> None:
    crossings = {
        name: broken
        for path in _modules(sources)
        if (name := str(path.relative_to(ROOT)))
        and (broken := [b for b in _breaks(_imports(path), forbidden) if (name, b) not in ALLOWED])
    }
    assert crossings == {}, why


def test_the_scan_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from activities.agents import guide\n    return guide\n")
    assert _breaks(_imports(module), ("activities.agents",)) == ["activities.agents"]


def test_the_api_loads_no_dataframe_library() -> None:
    """A real import of the app and its routes, transitive imports included."""
    probe = f"import sys, api.main\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_conversation_loads_no_runtime_code() -> None:
    """A real import of the conversation workflow, transitive imports included: a worker
    that hosts only sessions needs neither the registry nor a realm."""
    probe = (
        "import sys, workflows.conversation\n"
        f"print(sorted(m for m in sys.modules if m.startswith({RUNTIME_CODE!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
