"""Profiles: every number checked against one computed here independently, and the
rules at their edges (the IQR fences, the quality score's weights).

Each expected number is worked out here by hand or with the standard library, so a
changed fence (1.5 -> 3.0), a dropped lower fence, `>` turned into `>=`, or other weights
than 40/20/20/20 fail a test.
"""

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

from activities.catalog.insights import ProfileDataParams
from activities.realms.content import infer_type
from activities.realms.insights import profile_data
from activities.realms.profile import FileProfile, column_kind
from activities.realms.tables import read_polars, read_table
from tests.realm_files import SALES_CSV, Files, xlsx

# 20 tens and 20 twenties: Q1 = 10 and Q3 = 20 whatever two values are added below and
# above them, so the fences are 10 - 1.5 * 10 = -5 and 20 + 1.5 * 10 = 35.
BODY = [10.0] * 20 + [20.0] * 20


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _profile(files: Files, name: str, text: str) -> FileProfile:
    ref = files.add(name, text)
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    return profile


def _csv(values: list[float]) -> str:
    """A column of values and a text column (a lone column would be sniffed as text)."""
    return "v,tag\n" + "".join(f"{v},t{i % 3}\n" for i, v in enumerate(values))


def _outliers(files: Files, low: float, high: float) -> int:
    values = [low, *BODY, high]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (q1, q3) == (10.0, 20.0)  # the premise of every case below
    profile = _profile(files, "v.csv", _csv(values))
    outliers = profile.column_profiles[0].outliers
    assert outliers is not None
    return outliers


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (-5.0, 35.0, 0),  # exactly at both fences: inside (the rule is strict)
        (-5.01, 35.0, 1),  # just past the lower fence only: a lower outlier
        (-5.0, 35.01, 1),  # just past the upper fence only
        (-5.01, 35.01, 2),  # just past both
        (-19.99, 49.99, 2),  # past 1.5 IQR, inside 3 IQR: still outliers
    ],
)
def test_the_iqr_fences_sit_at_1_5_iqr_and_are_strict(
    files: Files, low: float, high: float, expected: int
) -> None:
    assert _outliers(files, low, high) == expected


def test_a_lower_outlier_alone_is_counted_in_validity(files: Files) -> None:
    values = [-100.0, *BODY, 20.0]
    profile = _profile(files, "low.csv", _csv(values))
    assert profile.column_profiles[0].outliers == 1
    validity = next(r for r in profile.rules if r.name == "validity")
    assert validity.detail.startswith("1 of 42 numeric values are outliers")
    assert validity.score == round(100 * (1 - 1 / 42), 1)


# Ten rows, three columns: two empty cells, one repeated row, one column mixing numbers
# and text ("code": nine numbers and an "x"), and two outliers in "n" (the 100s: Q1 3.25,
# Q3 7.75, upper fence 7.75 + 1.5 * 4.5 = 14.5).
SCORED = """n,code,note
1,1,a
2,2,
3,3,c
4,4,
5,x,e
6,y,f
7,7,g
8,8,h
100,9,i
100,9,i
"""


def test_the_quality_score_weighs_the_rules_40_20_20_20(files: Files) -> None:
    profile = _profile(files, "scored.csv", SCORED)
    rules = {r.name: r.score for r in profile.rules}
    # By hand: completeness 1 - 2/30, uniqueness 1 - 1/10, consistency 1 - 1/3 columns,
    # validity 1 - 2/10 numeric values; each rule's score is rounded to one decimal.
    assert rules == {
        "completeness": 93.3,
        "uniqueness": 90.0,
        "consistency": 66.7,
        "validity": 80.0,
    }
    # 0.4 * 93.3 + 0.2 * 90.0 + 0.2 * 66.7 + 0.2 * 80.0 = 37.32 + 18 + 13.34 + 16 = 84.66
    assert profile.quality_score == 84.7


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
