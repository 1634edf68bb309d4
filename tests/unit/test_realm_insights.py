"""Insights realm: every number checked against one computed here independently."""

import csv
import datetime
import io
import json
import math
import random
import statistics
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from activities.realms.content import infer_type
from activities.realms.insights import (
    CompareDataQualityParams,
    GenerateInsightsParams,
    ProfileDataParams,
    column_kind,
    compare_data_quality,
    generate_insights,
    profile_data,
)
from activities.realms.tables import read_polars, read_table
from tests.realm_files import SALES_CSV, Files, xlsx


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


# Files where polars' CSV reader, left alone, would read something pandas reads otherwise.
TRICKY = {
    "na_words.csv": "a,b,c\n1,NA,x\n2,3.5,N/A\nnull,4,\n5,None,y\n",
    "padded.csv": "a,b\n 1 ,x\n2 ,y\n 3,z\n",
    "late_numbers.csv": "a,b\n" + "1,\n" * 150 + "2,7\n",
    "late_float.csv": "a,b\n" + "1,1\n" * 150 + "2,1.5\n",
    "late_text.csv": "a,b\n" + "1,1\n" * 150 + "2,oops\n",
    "bool_gaps.csv": "a,b,c\nTrue,true,1\n,false,2\nFalse,TRUE,3\n",
    "nan_words.csv": "a,b\n1.5,nan\nNaN,2\n nan,3\n",
    "blank_lines.csv": "a,b,c\n1,2,\n\n3,4,\n,,\n5,6,x\n",
    "headers.csv": ",a,a,b\n1,2,3,4\n5,6,7,8\n",
    "quoted_empty.csv": 'a,b\n1,""\n2,x\n',
    "big_ints.csv": "a,b\n99999999999999999999,1\n1,2\n",
    "cr_lines.csv": "a,b\r1,2\r3,4\r",
    "crlf.csv": "a,b\r\n1,x\r\n2,y\r\n",
    "semicolons.csv": "a;b;c\n1;x;2,5\n2;y;3\n",
    "t.tsv": "a\tb\n1\tx\n2\t\n",
    "dates.csv": "d,t\n2024-01-05,2024-01-05 10:00:00\n2024-02-30,2024-01-06 11:00:00\n",
    "a.json": json.dumps([{"a": 1, "b": {"c": "x"}}, {"a": None, "b": {"c": None}}]),
    "l.jsonl": '{"a": 1, "date": "2024-01-05", "ok": true}\n'
    '{"a": null, "date": null, "ok": null}\n',
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_the_profiled_table_is_the_one_pandas_reads(files: Files, name: str) -> None:
    """Column by column: same names, types, gaps and values as `read_table` (pandas)."""
    ref = files.add(name, TRICKY[name])
    _assert_same_table(files, ref.file_id)


def test_an_excel_table_is_the_one_pandas_reads(files: Files) -> None:
    when = datetime.datetime(2024, 1, 5, 9, 30)
    book = xlsx([["name", "n", "when", "ok"], ["ann", 3, when, True], ["bob", None, None, False]])
    _assert_same_table(files, files.add("b.xlsx", book).file_id)


def _assert_same_table(files: Files, file_id: str) -> None:
    expected = read_table(files.ctx, file_id).frame
    got = read_polars(files.ctx, file_id).frame
    assert got.columns == list(expected.columns)
    assert got.height == len(expected)
    for name in expected.columns:
        kind = infer_type(expected[name])
        assert column_kind(got[name]) == kind, name
        assert got[name].null_count() == expected[name].isna().sum(), name
        values, present = got[name].drop_nulls(), expected[name].dropna()
        if kind in ("integer", "number"):
            assert values.cast(pl.Float64).to_list() == present.astype(float).tolist(), name
        else:
            assert [str(v) for v in values.to_list()] == present.astype(str).tolist(), name


def test_values_are_counted_and_checked_as_pandas_does(files: Files) -> None:
    data = "tag,flag,code\nb,True,1\na,False,2\nb,,x\na,True,3\nc,False, 4\n"
    ref = files.add("tags.csv", data)
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    columns = {c.name: c for c in profile.column_profiles}
    frame = pd.read_csv(io.StringIO(data))
    for name in ("tag", "flag"):
        counts = frame[name].dropna().astype(str).value_counts().head(5)
        assert columns[name].top_values == list(counts.items())
        assert columns[name].distinct == frame[name].nunique()
    assert columns["tag"].top_values == [("b", 2), ("a", 2), ("c", 1)]
    assert columns["flag"].type == "text"  # a boolean column with a gap is text to pandas
    assert columns["code"].type == "text"
    consistency = next(r for r in profile.rules if r.name == "consistency")
    assert consistency.detail == "columns mixing numbers and text: code"


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # pandas: inf - inf
def test_infinite_values_count_no_outliers_as_in_pandas(files: Files) -> None:
    ref = files.add("inf.csv", "a,b\ninf,1\n-inf,2\n3,3\n")
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    a = profile.column_profiles[0]
    numbers = pd.Series([math.inf, -math.inf, 3.0])
    q1, q3 = numbers.quantile(0.25), numbers.quantile(0.75)
    assert [a.p25, a.p75] == pytest.approx([q1, q3], nan_ok=True)
    fence = 1.5 * (q3 - q1)
    assert a.outliers == int(((numbers < q1 - fence) | (numbers > q3 + fence)).sum()) == 0


def test_duplicate_rows_are_counted_exactly(files: Files) -> None:
    rows = [f"{i % 7},{'x' if i % 3 else ''},{i % 5 / 2}" for i in range(300)]
    ref = files.add("dups.csv", "a,b,c\n" + "\n".join(rows) + "\n")
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    assert profile.duplicate_rows == len(rows) - len(set(rows))
    clean = files.add("clean.csv", "a,b\n" + "\n".join(f"{i},{i}" for i in range(300)) + "\n")
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[clean.file_id])).profiles
    assert profile.duplicate_rows == 0
