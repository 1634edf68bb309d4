"""Sessions live for as long as their users come back, so a new worker version must replay
the histories an earlier version wrote: a change that breaks replay would stick every
such session on a failing workflow task.

`histories/` holds real histories, each named after the commit that wrote it.
"""

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.conversation import Conversation

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("conversation-*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
def test_a_session_written_by_an_earlier_version_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=[Conversation], data_converter=pydantic_data_converter)
    result = asyncio.run(replayer.replay_workflow(history, raise_on_replay_failure=False))
    assert result.replay_failure is None
