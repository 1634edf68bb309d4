"""Sessions live for as long as their users come back, so a new worker version must replay
the histories an earlier version wrote: a change that breaks replay would stick every
such session on a failing workflow task.

`histories/` holds real histories, each named after the commit that wrote it, for every
path users reach: an intent execution, an approval, a retry, a continue-as-new (both
sides of it) and a session that ended idle and was resumed (both runs).
`python -m tests.record_histories` records them from the current code.
"""

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.conversation import Conversation
from workflows.execution import IntentExecution

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("*.json"))
SCENARIOS = (
    "intent",
    "approval",
    "retry",
    "continue-as-new-run1",
    "continue-as-new-run2",
    "idle-end-run1",
    "idle-end-run2",
)


def test_every_path_users_reach_has_a_history() -> None:
    names = [path.stem for path in HISTORIES]
    for scenario in SCENARIOS:
        assert any(n.startswith("conversation-") and n.endswith(scenario) for n in names)
    assert any(n.startswith("execution-") and "-retry-" in n for n in names)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
def test_a_history_written_by_an_earlier_version_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[Conversation, IntentExecution], data_converter=pydantic_data_converter
    )
    result = asyncio.run(replayer.replay_workflow(history, raise_on_replay_failure=False))
    assert result.replay_failure is None
