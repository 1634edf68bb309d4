"""Every event of the Insights intents on a 1,000-column file stays under 256 KB: the
results on the stream and every history event of the session and its executions."""

import asyncio
import json
from functools import partial

import pytest

import launcher
from tests.client import Api, Event
from tests.realm_files import wide_csv
from tests.stack.test_files_and_history import largest_event

EVENT_LIMIT = 256 * 1024
RUN = 600.0
"""Seconds an intent on a 1,000-column file may take here (the reader is slow on them)."""


@pytest.mark.timeout(900)  # the reader takes seconds per 1,000-column file on a busy machine
def test_every_event_on_a_1000_column_file_stays_under_256_kb(
    api: Api, stack: launcher.Stack
) -> None:
    wide, renamed = (
        api.upload("wide.csv", wide_csv(rows=60)),
        api.upload("r.csv", wide_csv(rows=60, prefix="r")),
    )
    ids = [wide["file_id"], renamed["file_id"]]
    with api.socket() as conn:
        conn.turn("Hello")  # the session exists from its first turn
        session_id = conn.ready["session_id"]
        executions = []
        for name, file_ids in (
            ("profile_data", ids[:1]),
            ("generate_insights", ids[:1]),
            ("compare_data_quality", ids),
        ):
            execution_id = api.start(name, {"file_ids": file_ids}, session_id)
            done = conn.until(partial(_completed, execution_id), timeout=RUN)
            assert len(json.dumps(done).encode()) < EVENT_LIMIT
            executions.append(execution_id)
        conn.until(
            lambda e: e["type"] == "turn.completed" and e.get("offset", 0) > done["offset"],
            timeout=RUN,
        )
    workflow_ids = [f"session-{session_id}", *(f"exec-{e}" for e in executions)]
    largest = asyncio.run(largest_event(stack.temporal_address, workflow_ids))
    assert largest < EVENT_LIMIT, f"a history event is {largest} bytes"


def _completed(execution_id: str, event: Event) -> bool:
    return event["type"] == "execution.completed" and event.get("execution_id") == execution_id
