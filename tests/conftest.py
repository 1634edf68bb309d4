"""Two layers: `tests/unit/` needs no server; `tests/stack/` shares one session-scoped
real stack (Temporal dev server, `python worker.py`, `uvicorn`). Each test is marked with
its layer, so `scripts/test -m unit` runs in seconds."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import launcher
from tests.client import Api
from tests.openai_stub import Stub, serving

UPLOAD_LIMIT = 8 * 1024 * 1024
"""Smaller than the 50 MiB default, so the limit test stays quick."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test `unit` or `stack` by the folder it lives in."""
    for item in items:
        layer = "stack" if "stack" in item.path.parent.parts[-1:] else "unit"
        item.add_marker(getattr(pytest.mark, layer))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    """One stack for the whole run; each test uses fresh session ids."""
    root = tmp_path_factory.mktemp("stack")
    logs = Path(os.environ.get("SYMPHAINY_TEST_LOGS", root / "logs"))
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
        "SYMPHAINY_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
    }
    with launcher.running(root / "data", log_dir=logs, env=env) as running:
        yield running


@pytest.fixture
def api(stack: launcher.Stack) -> Api:
    """HTTP and WebSocket access to the stack's API."""
    return Api(stack.api_url())


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    """A module's own stack with two workers: killing one (or stopping Temporal) must
    not slow the other tests' sessions."""
    root = tmp_path_factory.mktemp("two-workers")
    env = {"SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]'}
    with launcher.running(root / "data", workers=2, log_dir=root, env=env) as stack:
        yield stack


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    """An OpenAI-compatible server with recorded answers, one per test module."""
    with serving() as running:
        yield running


@pytest.fixture
def fresh(stub: Stub) -> Stub:
    """The module's stub with the requests of earlier tests forgotten."""
    stub.requests.clear()
    return stub
