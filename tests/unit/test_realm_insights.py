"""The Insights intents through their handlers: results, summaries, the findings cap.

That every result stays under 256 KB on a 1,000-column file is proven in
tests/stack/test_insights_events.py (the reader takes seconds on such a file).
"""

import random
from pathlib import Path

import pytest

from activities.catalog.insights import GenerateInsightsParams
from activities.realms.insights import generate_insights
from tests.realm_files import Files, wide_csv


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
