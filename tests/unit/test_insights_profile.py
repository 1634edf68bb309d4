"""Profiles: every number checked against one computed here independently, and the
rules at their edges (the IQR fences, the quality score's weights).

Each expected number is worked out here by hand or with the standard library, so a
changed fence (1.5 -> 3.0), a dropped lower fence, `>` turned into `>=`, or other weights
than 40/20/20/20 fail a test.
"""

import csv
import dataclasses
import datetime
import io
import json
import math
import random
import statistics
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from activities.catalog.insights import ProfileDataParams
from activities.realms.content import infer_type
from activities.realms.insights import profile_data
from activities.realms.profile import FileProfile, column_kind, profile_table
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


def test_dates_written_as_text_are_dates_other_text_is_text() -> None:
    """A text column is tested for dates as `infer_type` tests it (pandas decides)."""
    for values in (["2024-01-05", "2024-01-06"], ["2024-01-05", "2024-13-45"], ["1", "2"]):
        expected = infer_type(pd.Series(values, dtype="str"))
        assert column_kind(pl.Series(values)) == expected
    assert column_kind(pl.Series(["2024-01-05", "2024-01-06"])) == "datetime"
    assert column_kind(pl.Series(["1", "2"])) == "text"
    assert column_kind(pl.Series([None, None], dtype=pl.String)) == "empty"


def test_the_profile_reports_how_the_file_was_read_and_what_did_not_fit(files: Files) -> None:
    text = "a;b\n" + "".join(f"{i},5;t{i % 3}\n" for i in range(19)) + "oops;t\n"
    ref = files.add("misfit.csv", text)
    table = read_polars(files.ctx, ref.file_id)
    assert table.warnings and table.read_options is not None
    [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    assert profile.read_options == table.read_options
    assert profile.warnings == table.warnings


@pytest.mark.parametrize(("width", "truncated"), [(200, False), (201, True)])
def test_columns_past_the_200th_are_not_profiled_and_said_so(
    files: Files, width: int, truncated: bool
) -> None:
    header = ",".join(f"c{i}" for i in range(width))
    row = ",".join(str(i) for i in range(width))
    profile = _profile(files, "wide.csv", f"{header}\n{row}\n{row}\n")
    assert (profile.columns, len(profile.column_profiles)) == (width, 200)
    assert profile.columns_truncated is truncated


def test_top_values_are_the_five_most_common_clipped_to_80_characters(files: Files) -> None:
    long = "y" * 100
    values = ["a"] + ["b"] * 2 + ["c"] * 3 + ["d"] * 4 + ["e"] * 5 + [long] * 6 + ["g"] * 7
    profile = _profile(
        files, "top.csv", "v,n\n" + "".join(f"{v},{i}\n" for i, v in enumerate(values))
    )
    column = profile.column_profiles[0]
    assert column.distinct == 7
    assert column.top_values == [("g", 7), ("y" * 80, 6), ("e", 5), ("d", 4), ("c", 3)]


def test_an_empty_table_scores_full_marks_with_nothing_to_count(files: Files) -> None:
    """The reader refuses a file without rows; a table cut to none still profiles."""
    ref = files.add("cut.csv", "a,b\n1,x\n")
    table = read_polars(files.ctx, ref.file_id)
    profile = profile_table(dataclasses.replace(table, frame=table.frame.head(0)))
    assert profile.rows == 0
    assert [c.null_rate for c in profile.column_profiles] == [0.0, 0.0]
    assert {r.name: r.score for r in profile.rules} == {
        "completeness": 100.0,
        "uniqueness": 100.0,
        "consistency": 100.0,
        "validity": 100.0,
    }


def test_mean_and_std_are_rounded_to_six_decimals_and_one_value_has_no_spread(
    files: Files,
) -> None:
    profile = _profile(files, "spread.csv", "a,b,t\n1,5,x\n2,,y\n2,,z\n")
    a, b = profile.column_profiles[:2]
    assert (a.mean, a.std) == (round(5 / 3, 6), round(statistics.stdev([1, 2, 2]), 6))
    assert (a.mean, a.std) == (1.666667, 0.57735)
    assert (b.mean, b.std) == (5.0, 0.0)
    profile = _profile(files, "two.csv", "a,t\n1,x\n,y\n4,z\n")
    assert profile.column_profiles[0].std == round(statistics.stdev([1, 4]), 6)


def test_a_text_column_mixes_numbers_from_half_of_its_values_not_when_all_are(
    files: Files,
) -> None:
    half = _profile(files, "half.csv", "code,n\n1,1\nx,2\n2,3\ny,4\n")
    consistency = next(r for r in half.rules if r.name == "consistency")
    assert consistency.detail == "columns mixing numbers and text: code"
    assert consistency.score == 50.0
    ref = files.add("numbers.csv", "code,n\n1,1\n2,2\n")
    table = read_polars(files.ctx, ref.file_id)
    as_text = dataclasses.replace(
        table, frame=table.frame.with_columns(pl.col("code").cast(pl.String))
    )
    profile = profile_table(as_text)
    assert profile.column_profiles[0].type == "text"
    consistency = next(r for r in profile.rules if r.name == "consistency")
    assert consistency.detail == "columns mixing numbers and text: none"
    assert consistency.score == 100.0


def test_the_share_of_numbers_is_read_on_the_first_10000_values(files: Files) -> None:
    values = [str(i) for i in range(10_000)] + [f"w{i}" for i in range(5_000)]
    profile = _profile(
        files, "late.csv", "code,n\n" + "".join(f"{v},{i}\n" for i, v in enumerate(values))
    )
    assert profile.column_profiles[0].type == "text"
    consistency = next(r for r in profile.rules if r.name == "consistency")
    assert consistency.detail == "columns mixing numbers and text: none"


def test_two_mixed_columns_are_named_and_the_score_keeps_a_decimal(files: Files) -> None:
    text = "p,q,r\n1,1,a\nx,y,b\n2,2,c\n"
    profile = _profile(files, "mixed.csv", text)
    consistency = next(r for r in profile.rules if r.name == "consistency")
    assert consistency.detail == "columns mixing numbers and text: p, q"
    assert consistency.score == round(100 * (1 - 2 / 3), 1) == 33.3


def test_one_column_counts_its_own_cells_and_a_repeat_keeps_a_decimal(files: Files) -> None:
    ref = files.add("one.csv", "a\n1\n2\n")
    table = read_polars(files.ctx, ref.file_id)
    profile = profile_table(dataclasses.replace(table, frame=pl.DataFrame({"a": [1, None, 1, 2]})))
    rules = {r.name: r for r in profile.rules}
    assert profile.rows == 4
    assert rules["completeness"].score == 75.0
    assert rules["completeness"].detail == "1 of 4 cells empty"
    profile = _profile(files, "repeat.csv", "a,b\n1,x\n1,x\n2,y\n")
    uniqueness = next(r for r in profile.rules if r.name == "uniqueness")
    assert uniqueness.score == round(100 * (1 - 1 / 3), 1) == 66.7


def test_validity_counts_the_present_numeric_values(files: Files) -> None:
    values = ["", "", *[str(v) for v in BODY[:8]], "100"]
    profile = _profile(files, "gaps.csv", _csv_text(values))
    validity = next(r for r in profile.rules if r.name == "validity")
    assert validity.detail.startswith("1 of 9 numeric values are outliers")
    clean = _profile(files, "clean.csv", _csv([1.0, 2.0, 3.0]))
    validity = next(r for r in clean.rules if r.name == "validity")
    assert validity.detail.startswith("0 of 3 numeric values are outliers")
    assert validity.score == 100.0
    text = _profile(files, "text.csv", "a,b\nx,y\nz,w\n")
    validity = next(r for r in text.rules if r.name == "validity")
    assert (validity.score, validity.detail.split(" are")[0]) == (100.0, "0 of 0 numeric values")


def _csv_text(values: list[str]) -> str:
    return "v,tag\n" + "".join(f"{v},t{i % 3}\n" for i, v in enumerate(values))


def test_infinite_values_are_profiled_without_a_warning(files: Files) -> None:
    ref = files.add("inf.csv", "a,b\ninf,1\n-inf,2\n3,3\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [profile] = profile_data(files.ctx, ProfileDataParams(file_ids=[ref.file_id])).profiles
    assert profile.column_profiles[0].outliers == 0
