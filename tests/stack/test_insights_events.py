"""Every result and event of the Insights intents on a 1,000-column file stays under
256 KB: the handlers' results (a wide file once gave 12,651 findings and a 1.88 MB
result), the results on the stream and every history event of the session and its
executions. Here, not in tests/unit, since the reader takes seconds on such a file."""

import asyncio
import json
from functools import partial
from pathlib import Path

import pytest

import launcher
from activities.catalog.insights import (
    CompareDataQualityParams,
    GenerateInsightsParams,
    ProfileDataParams,
)
from activities.realms.insights import compare_data_quality, generate_insights, profile_data
from tests.client import Api, Event
from tests.realm_files import Files, wide_csv
from tests.stack.test_files_and_history import largest_event

EVENT_LIMIT = 256 * 1024
RUN = 600.0
"""Seconds an intent on a 1,000-column file may take here (the reader is slow on them)."""


@pytest.mark.timeout(600)  # the reader takes seconds per 1,000-column file on a busy machine
def test_every_result_on_a_1000_column_file_is_bounded(tmp_path: Path) -> None:
    """The handlers alone, no stack: each result, and the caps that keep it small."""
    files = Files(tmp_path)
    first = files.add("wide.csv", wide_csv(rows=60))
    other = files.add("other.csv", wide_csv(rows=60, prefix="renamed"))
    profiles = profile_data(files.ctx, ProfileDataParams(file_ids=[first.file_id]))
    insights = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[first.file_id]))
    ids = [first.file_id, other.file_id]
    comparison = compare_data_quality(files.ctx, CompareDataQualityParams(file_ids=ids))
    for result in (profiles, insights, comparison):
        assert len(json.dumps(result.model_dump(mode="json")).encode()) < EVENT_LIMIT
    assert len(insights.files[0].findings) == 20
    assert insights.files[0].more_findings > 1_000
    [difference] = comparison.schema_differences
    assert len(difference.added) == 50
    assert difference.more == 2 * (1_000 - 50)


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
