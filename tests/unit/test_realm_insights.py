"""The Insights intents through their handlers: results, summaries, the findings cap.

Every realm result stays under 256 KB, proven on a 1,000-column file (a wide file once
gave 12,651 findings and a 1.88 MB result); tests/stack/test_insights_events.py checks
the events and history of the same intents on the real stack.
"""

import json
import random
from pathlib import Path

import pytest

from activities.catalog.insights import (
    CompareDataQualityParams,
    GenerateInsightsParams,
    ProfileDataParams,
)
from activities.realms.insights import compare_data_quality, generate_insights, profile_data
from tests.realm_files import Files, wide_csv

EVENT_LIMIT = 256 * 1024


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def test_findings_name_correlation_missing_data_and_trend(files: Files) -> None:
    rng = random.Random(7)
    lines = ["day,visits,sales,notes"]
    for i in range(60):
        count = 100 + 3 * i + rng.gauss(0, 20)
        note = "" if i % 3 else "x"
        sales = 2 * count + rng.gauss(0, 80)
        lines.append(f"2024-{i // 28 + 1:02d}-{(i % 28) + 1:02d},{count:.2f},{sales:.2f},{note}")
    ref = files.add("web.csv", "\n".join(lines) + "\n")
    result = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[ref.file_id]))
    found = result.files[0]
    assert {"correlation", "missing", "trend"} <= {f.kind for f in found.findings}
    assert result.summary.startswith(f"{len(found.findings)} findings. First: ")
    assert found.findings[0].sentence in result.summary


def test_the_cap_comes_from_the_context_and_the_rest_is_counted(files: Files) -> None:
    ref = files.add("wide.csv", wide_csv(columns=60, rows=40, text=False))
    files.ctx.max_findings = 3
    result = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[ref.file_id]))
    found = result.files[0]
    assert len(found.findings) == 3
    assert found.more_findings > 0
    assert f"({found.more_findings} more not shown)" in result.summary


@pytest.mark.timeout(600)  # the reader takes seconds per 1,000-column file on a busy machine
def test_every_result_on_a_1000_column_file_is_bounded(files: Files) -> None:
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
