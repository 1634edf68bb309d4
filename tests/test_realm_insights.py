"""Insights realm: every number checked against one computed here independently."""

import csv
import io
import json
import random
import statistics
from pathlib import Path

import pytest

from activities.realms.insights import (
    CompareDataQualityParams,
    GenerateInsightsParams,
    ProfileDataParams,
    compare_data_quality,
    generate_insights,
    profile_data,
)
from tests.realm_files import SALES_CSV, Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _column(name: str) -> list[str]:
    return [row[name] for row in csv.DictReader(io.StringIO(SALES_CSV))]


def test_profile_matches_independent_statistics(files: Files) -> None:
    ref = files.add("sales.csv", SALES_CSV)
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    amount = next(c for c in profile.column_profiles if c.name == "amount")
    raw = _column("amount")
    numbers = [float(v) for v in raw if v]
    assert amount.null_rate == round(raw.count("") / len(raw), 4)
    assert amount.distinct == len(set(numbers))
    assert (amount.min, amount.max) == (min(numbers), max(numbers))
    assert amount.mean == pytest.approx(statistics.mean(numbers))
    assert amount.std == pytest.approx(statistics.stdev(numbers))
    q1, median, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    assert (amount.p25, amount.p50, amount.p75) == (q1, median, q3)
    iqr = q3 - q1
    assert amount.outliers == sum(1 for n in numbers if n < q1 - 1.5 * iqr or n > q3 + 1.5 * iqr)
    rows = list(csv.reader(io.StringIO(SALES_CSV)))[1:]
    assert profile.duplicate_rows == len(rows) - len({tuple(r) for r in rows})
    region = next(c for c in profile.column_profiles if c.name == "region")
    assert region.top_values[0] == ("north", 2) or region.top_values[0][1] == 2
    assert 0 <= profile.quality_score <= 100
    assert {r.name for r in profile.rules} == {
        "completeness",
        "uniqueness",
        "consistency",
        "validity",
    }


def test_insights_find_correlation_missing_data_and_trend(files: Files) -> None:
    rng = random.Random(7)
    lines = ["day,visits,sales,notes"]
    for i in range(60):
        count = 100 + 3 * i + rng.random()
        note = "" if i % 3 else "x"
        lines.append(
            f"2024-01-{(i % 28) + 1:02d},{count:.2f},{2 * count + rng.random():.2f},{note}"
        )
    ref = files.add("web.csv", "\n".join(lines) + "\n")
    result = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[ref.file_id]))
    kinds = {f.kind for f in result.files[0].findings}
    assert {"correlation", "missing", "trend"} <= kinds
    correlation = next(f for f in result.files[0].findings if f.kind == "correlation")
    visits = [float(line.split(",")[1]) for line in lines[1:]]
    sales = [float(line.split(",")[2]) for line in lines[1:]]
    assert correlation.numbers["r"] == pytest.approx(
        statistics.correlation(visits, sales), abs=1e-4
    )
    missing = next(f for f in result.files[0].findings if f.kind == "missing")
    assert missing.numbers["missing"] == sum(1 for line in lines[1:] if line.endswith(","))
    assert f"{missing.numbers['missing']} of 60" in missing.sentence


def test_compare_names_the_better_file_per_measure(files: Files) -> None:
    clean = files.add("clean.csv", "a,b\n1,2\n3,4\n5,6\n7,8\n")
    dirty = files.add("dirty.csv", "a,b\n1,\n1,\n,4\n7,8\n")
    result = compare_data_quality(
        files.ctx, CompareDataQualityParams(file_ids=[clean.file_id, dirty.file_id])
    )
    by_name = {m.name: m for m in result.measures}
    assert by_name["completeness"].best == "clean.csv"
    assert by_name["completeness"].values == {"clean.csv": 100.0, "dirty.csv": 62.5}
    assert by_name["duplicate_rate"].values["dirty.csv"] == 0.25
    assert by_name["quality_score"].best == "clean.csv"
    assert "clean.csv" in result.summary


def test_a_large_profile_stays_compact(files: Files) -> None:
    rng = random.Random(1)
    rows = "\n".join(f"{i},{rng.random():.5f},cat{i % 50}" for i in range(200_000))
    ref = files.add("big.csv", "id,value,category\n" + rows + "\n")
    result = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id]))
    assert result.profiles[0].rows == 200_000
    assert len(json.dumps(result.model_dump(mode="json"))) < 100_000
