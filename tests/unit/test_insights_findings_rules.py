"""Findings' rules at their edges, on small tables built here: dates, counts, collapses,
skewness tests, predictors, trends and how findings are ranked.

Each expected value is worked out here by hand or with scipy/numpy, never by the code under
test. The tables go to `findings_of` as the reader hands them over (pandas, typed), so a
rule is pinned without a file's detection in the way.
"""

import math
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from temporalio.exceptions import ApplicationError

from activities.realms.findings import (
    FileInsights,
    Finding,
    _as_dates,
    _date_column,
    _duplicates,
    _finite,
    _missing,
    _numeric_dates,
    _pearson_p,
    _skew_tests,
    findings_of,
)
from activities.realms.reading.options import ReadWarning, UsedReadOptions
from activities.realms.tables import Table
from models.files import FileRef


def _table(frame: pd.DataFrame, read_warnings: list[ReadWarning] | None = None) -> Table:
    ref = FileRef(file_id="f1", name="table.csv", size=1, sha256="0" * 64, content_type="text/csv")
    options = UsedReadOptions(kind="csv", delimiter=",", encoding="utf-8")
    return Table(ref, "csv", frame, options, read_warnings or [])


def _found(frame: pd.DataFrame, date_column: str | None = None, limit: int = 20) -> FileInsights:
    return findings_of(_table(frame), date_column, limit)


def _kind(found: FileInsights, kind: str) -> list[Finding]:
    return [f for f in found.findings if f.kind == kind]


def _reasons(found: FileInsights) -> dict[str, str]:
    return {o.column: o.reason for o in found.left_out}


@pytest.fixture
def strict_warnings() -> Iterator[None]:
    """Any warning raised in the test is an error: the code must not leak one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _days(first: str, count: int) -> list[str]:
    return [str(d.date()) for d in pd.date_range(first, periods=count, freq="D")]


# Missing values and duplicate rows: counts, not tests.


def test_missing_values_are_said_from_20_percent_with_their_numbers() -> None:
    """35 rows: 7 gaps are 20 % (said), 6 are 17 % (not), 12 are 34.29 %."""
    rows = 35
    frame = pd.DataFrame(
        {
            "a": [np.nan if i < 7 else float(i) for i in range(rows)],
            "b": [None if i % 3 == 0 and i < 36 else "x" for i in range(rows)],
            "c": [np.nan if i >= 29 else float(i) for i in range(rows)],
        }
    )
    assert frame["b"].isna().sum() == 12
    said = _missing(frame)
    assert [c.finding.sentence for c in said] == [
        "a is missing in 20% of rows (7 of 35).",
        "b is missing in 34% of rows (12 of 35).",
    ]
    assert [c.strength for c in said] == [7 / 35, 12 / 35]
    assert [c.p for c in said] == [None, None]
    assert said[0].finding.numbers == {
        "test": "count",
        "statistic": 7.0,
        "p_value": None,
        "q_value": None,
        "n": 35,
        "effect_size": 0.2,
        "effect": "rate",
        "column": "a",
        "missing": 7,
        "missing_rate": 0.2,
    }
    assert said[1].finding.numbers["missing_rate"] == 0.3429  # 12/35 = 0.342857...
    assert said[1].finding.numbers["effect_size"] == 0.3429


def test_a_gap_in_a_one_row_table_is_missing_in_all_its_rows() -> None:
    [said] = _missing(pd.DataFrame({"a": [np.nan], "b": [2.0]}))
    assert said.finding.sentence == "a is missing in 100% of rows (1 of 1)."
    assert said.strength == 1.0


def test_duplicate_rows_are_counted_with_their_rate() -> None:
    """3 repeats among 33 rows: 9.09 %."""
    frame = pd.DataFrame(
        {"k": [*range(30), 4, 9, 9], "v": [i * 1.5 for i in range(30)] + [6.0, 13.5, 13.5]}
    )
    [said] = _duplicates(frame)
    assert said.finding.sentence == "3 rows (9.1%) are exact duplicates of earlier rows."
    assert said.strength == 3 / 33
    assert said.p is None
    assert said.finding.numbers == {
        "test": "count",
        "statistic": 3.0,
        "p_value": None,
        "q_value": None,
        "n": 33,
        "effect_size": 0.09091,
        "effect": "rate",
        "duplicate_rows": 3,
        "rate": 0.0909,
    }
    assert _duplicates(frame.drop_duplicates()) == []


# Dates: which column holds them, and how its values are read.


def test_a_column_the_reader_typed_as_dates_is_used_as_it_is() -> None:
    column = pd.Series(pd.to_datetime(["2024-01-05", None, "2024-03-01"]))
    assert _as_dates(column, by_name=False) is column


def _text_dates(good: int, bad: int, gaps: int = 0) -> pd.Series:
    values = [f"2024-02-{d:02d}" for d in range(1, good + 1)]
    return pd.Series([*values, *["n/a"] * bad, *[None] * gaps], dtype=object)


@pytest.mark.usefixtures("strict_warnings")
@pytest.mark.parametrize(
    ("good", "bad", "gaps", "dates"),
    [(9, 1, 0, True), (8, 2, 0, False), (9, 1, 5, True), (18, 2, 0, True), (17, 2, 0, False)],
)
def test_text_is_dates_when_90_percent_of_its_values_read_as_dates(
    good: int, bad: int, gaps: int, dates: bool
) -> None:
    """Empty cells are not counted: 9 dates and 1 'n/a' among 5 gaps are 90 %."""
    column = _text_dates(good, bad, gaps)
    read = _as_dates(column, by_name=False)
    if not dates:
        assert read is None
        return
    assert read is not None
    expected = [pd.Timestamp(2024, 2, d) for d in range(1, good + 1)]
    assert read.iloc[:good].tolist() == expected
    assert read.iloc[good:].isna().all()


@pytest.mark.usefixtures("strict_warnings")
def test_text_starting_with_no_date_is_read_only_in_a_column_named_for_dates() -> None:
    """pandas warns that it parses such a column value by value; that warning is not ours."""
    column = pd.Series(["unknown", *[f"2023-11-{d:02d}" for d in range(1, 10)]], dtype=object)
    assert _as_dates(column, by_name=False) is None
    read = _as_dates(column, by_name=True)
    assert read is not None
    assert pd.isna(read.iloc[0])
    assert read.iloc[1:].tolist() == [pd.Timestamp(2023, 11, d) for d in range(1, 10)]


def test_an_empty_text_column_holds_no_dates() -> None:
    assert _as_dates(pd.Series([None, None], dtype=object), by_name=True) is None


def test_years_and_yyyymmdd_numbers_are_read_as_those_dates() -> None:
    years = _numeric_dates(pd.Series([2001.0, 2002.0, np.nan, 1999.0]))
    assert years is not None
    assert years.tolist()[:2] + years.tolist()[3:] == [
        pd.Timestamp(2001, 1, 1),
        pd.Timestamp(2002, 1, 1),
        pd.Timestamp(1999, 1, 1),
    ]
    assert pd.isna(years.iloc[2])
    days = _numeric_dates(pd.Series([20240131, 20240201, 20231231]))
    assert days is not None
    assert days.tolist() == [
        pd.Timestamp(2024, 1, 31),
        pd.Timestamp(2024, 2, 1),
        pd.Timestamp(2023, 12, 31),
    ]


@pytest.mark.usefixtures("strict_warnings")
def test_a_number_that_is_no_yyyymmdd_date_rejects_the_column_silently() -> None:
    """20240230 first: read with the format given, pandas has nothing to guess or warn of."""
    assert _numeric_dates(pd.Series([20240230, 20240131, 20240201])) is None


def test_whole_numbers_are_found_as_dates_only_under_a_date_name() -> None:
    """Unasked, a column of years is the dates when its name says year (or date)."""
    v = [3.0, 5.5, 4.0, 7.5, 6.0, 9.0, 8.5, 11.0]
    named = _date_column(_table(pd.DataFrame({"v": v, "Fiscal year": range(2001, 2009)})), None)
    assert named is not None
    assert named[0] == "Fiscal year"
    assert named[1].tolist() == [pd.Timestamp(y, 1, 1) for y in range(2001, 2009)]
    assert _date_column(_table(pd.DataFrame({"v": v, "count": range(2001, 2009)})), None) is None


def test_the_first_column_of_dates_is_the_one_used() -> None:
    frame = pd.DataFrame(
        {
            "v": [1.0, 2.0, 3.5],
            "shipped": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-05"]),
            "ordered": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
        }
    )
    dated = _date_column(_table(frame), None)
    assert dated is not None and dated[0] == "shipped"


@pytest.mark.parametrize(("columns", "more"), [(20, ""), (21, " and 1 more"), (23, " and 3 more")])
def test_an_unknown_date_column_names_the_first_20_columns(columns: int, more: str) -> None:
    frame = pd.DataFrame({f"c{i}": [1.0, 2.0] for i in range(columns)})
    with pytest.raises(ApplicationError) as raised:
        _date_column(_table(frame), "when")
    shown = ", ".join(f"c{i}" for i in range(min(columns, 20)))
    assert raised.value.message == (
        f"date_column 'when' is not a column of table.csv; its columns are {shown}{more}"
    )


def test_a_date_column_without_dates_says_what_it_should_hold() -> None:
    frame = pd.DataFrame({"v": [1.5, 2.5, 3.5]})
    with pytest.raises(ApplicationError) as raised:
        _date_column(_table(frame), "v")
    assert raised.value.message == (
        "date_column 'v' of table.csv does not hold dates, years (e.g. 2024) or yyyymmdd "
        "numbers (e.g. 20240131)"
    )


# The file's findings: what is carried over, what is left out of the measures.


def test_the_date_column_is_no_measurement() -> None:
    """8 years and a rising v: v's skewness test and its trend, nothing on the years."""
    v = [3.0, 5.5, 4.0, 7.5, 6.0, 9.0, 8.5, 11.0]
    found = _found(pd.DataFrame({"year": range(2001, 2009), "v": v}))
    assert found.date_column == "year"
    assert found.tests == 2
    assert found.left_out == []
    assert found.more_left_out == 0
    [trend] = _kind(found, "trend")
    assert trend.numbers["column"] == "v"


def test_read_options_and_the_first_50_warnings_are_carried_over() -> None:
    said = [ReadWarning(kind="unparsed", column="v", count=1, message=f"w{i}") for i in range(53)]
    table = _table(pd.DataFrame({"v": [1.0, 2.0, 4.0]}), said)
    found = findings_of(table, None, 20)
    assert found.read_options == table.read_options
    assert found.warnings == said[:50]


def test_past_50_left_out_columns_the_rest_are_counted() -> None:
    frame = pd.DataFrame({f"k{i}_id": [1, 2, 3] for i in range(53)} | {"v": [1.0, 2.0, 4.0]})
    found = _found(frame)
    assert [o.column for o in found.left_out] == [f"k{i}_id" for i in range(50)]
    assert found.more_left_out == 3


def test_an_all_empty_numeric_column_is_left_out_as_empty() -> None:
    frame = pd.DataFrame({"blank": [np.nan] * 4, "flat": [2.0] * 4, "v": [1.0, 2.0, 4.0, 3.0]})
    assert _reasons(_found(frame)) == {"blank": "empty", "flat": "constant"}


def test_a_true_false_column_is_no_measurement() -> None:
    """12 values of v: one skewness test; the flag is neither correlated nor tested."""
    v = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0, 3.0, 6.0, 9.0, 12.0, 10.0, 11.0]
    found = _found(pd.DataFrame({"flag": [i % 2 == 0 for i in range(12)], "v": v}))
    assert found.tests == 1
    assert found.left_out == []


# Near-duplicates: collapsed from |r| = 0.98 into the earlier column kept.

# Two columns of 12 integers whose Pearson r is exactly 49/50 (a pair of values swapped),
# which pandas computes as exactly 0.98.
_X98 = [59, 42, 30, 15, 21, 14, 39, 10, 58, 19, 59, 54]
_Y98 = [59, 42, 30, 15, 21, 14, 39, 19, 58, 10, 59, 54]


def test_a_column_at_exactly_r_0_98_is_a_near_duplicate() -> None:
    frame = pd.DataFrame({"a": _X98, "b": _Y98})
    sxy = sum((x - np.mean(_X98)) * (y - np.mean(_Y98)) for x, y in zip(_X98, _Y98, strict=True))
    sxx = sum((x - np.mean(_X98)) ** 2 for x in _X98)
    assert sorted(_X98) == sorted(_Y98)  # so syy == sxx and r = sxy / sxx
    assert sxy / sxx == 0.98
    assert frame.corr().loc["a", "b"] == 0.98
    assert _reasons(_found(frame)) == {"b": "near-duplicate of a (r = 0.980)"}


@pytest.mark.parametrize(("shared", "collapsed"), [(9, False), (10, True)])
def test_a_near_duplicate_needs_ten_shared_rows(shared: int, collapsed: bool) -> None:
    """b equals 2a + 1 wherever it has a value, on `shared` of 30 rows; c is a's mirror
    on every row. Only from ten shared rows is b a's twin, and c is never b's."""
    a = [float(v) for v in [3, 17, 8, 25, 11, 2, 29, 14, 6, 21] * 3]
    b = [2 * v + 1 if i < shared else math.nan for i, v in enumerate(a)]
    frame = pd.DataFrame({"a": a, "b": b, "c": [-v for v in a]})
    assert frame[["a", "b"]].dropna().shape[0] == shared
    assert _reasons(_found(frame)) == {
        **({"b": "near-duplicate of a (r = 1.000)"} if collapsed else {}),
        "c": "near-duplicate of a (r = -1.000)",
    }


def test_a_column_with_two_values_takes_no_other_column_with_it() -> None:
    """Two rows correlate at ±1 whatever they hold: `rare`, present on two rows only, is
    no twin of `height` or `weight`, which vary independently over 30 rows."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "rare": [4.0, 9.0] + [math.nan] * 28,
            "height": rng.normal(50, 10, 30),
            "weight": rng.normal(5, 1, 30),
        }
    )
    assert abs(frame[["rare", "height"]].dropna().corr().iloc[0, 1]) == pytest.approx(1.0)
    reasons = _reasons(_found(frame))
    assert not [r for r in reasons.values() if r.startswith("near-duplicate")], reasons


def _gapped_trio() -> pd.DataFrame:
    """a; b, a's near-twin; c, correlated with a at about 0.7 and missing in 6 rows."""
    rng = np.random.default_rng(11)
    a = rng.normal(50, 10, 40)
    b = a + rng.normal(0, 0.5, 40)
    c = 0.7 * (a - 50) / 10 + np.sqrt(1 - 0.49) * rng.normal(0, 1, 40)
    c[[3, 8, 15, 22, 30, 37]] = np.nan
    return pd.DataFrame({"a": a, "b": b, "c": c})


def test_correlations_after_a_collapse_pair_the_columns_kept() -> None:
    frame = _gapped_trio()
    found = _found(frame)
    assert list(_reasons(found)) == ["b"]
    [said] = _kind(found, "correlation")
    both = frame[["a", "c"]].dropna()
    expected = stats.pearsonr(both["a"], both["c"])
    assert (said.numbers["a"], said.numbers["b"]) == ("a", "c")
    assert said.numbers["r"] == round(float(expected.statistic), 4)
    assert said.numbers["n"] == 34
    assert said.numbers["p_value"] == float(f"{expected.pvalue:.4g}")


def test_a_column_is_compared_only_with_the_columns_kept() -> None:
    """c is b's twin (r > 0.98) but not a's (r < 0.98): with b collapsed into a, c stays."""
    rng = np.random.default_rng(12)
    a = rng.normal(0, 1, 200)
    b = a + rng.normal(0, 0.18, 200)
    c = b + rng.normal(0, 0.18, 200)
    r = np.corrcoef([a, b, c])
    assert r[0, 1] >= 0.98 and r[1, 2] >= 0.98 and r[0, 2] < 0.98
    found = _found(pd.DataFrame({"a": a, "b": b, "c": c}))
    assert list(_reasons(found)) == ["b"]
    assert _kind(found, "correlation")[0].numbers["b"] == "c"


# Skewness tests: from 8 values, a column with gaps on its own.


def test_skewness_is_tested_from_8_values_and_a_gapped_column_apart() -> None:
    """w is complete; v has 8 values and 4 gaps; u 7 values: untested."""
    w = [1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 7.0, 9.0, 14.0, 20.0, 31.0]
    v = [1.0, np.nan, 2.0, 3.0, np.nan, 5.0, 8.0, np.nan, 13.0, 21.0, np.nan, 34.0]
    u = [np.nan, 1.0, 2.0, np.nan, 4.0, 8.0, np.nan, 16.0, 32.0, np.nan, 64.0, np.nan]
    frame = pd.DataFrame({"w": w, "v": v, "u": u})
    found = _skew_tests(frame, ["w", "v", "u"])
    expected_w = stats.skewtest(w)
    expected_v = stats.skewtest([x for x in v if not math.isnan(x)])
    assert found.keys() == {"w", "v"}
    assert found["w"] == pytest.approx((expected_w.statistic, expected_w.pvalue), rel=1e-12)
    assert found["v"] == pytest.approx((expected_v.statistic, expected_v.pvalue), rel=1e-12)


# Pearson's p-value at |r| = 1, and numbers that JSON cannot hold.


@pytest.mark.usefixtures("strict_warnings")
def test_a_perfect_correlation_has_p_0_without_a_warning() -> None:
    """pandas can give r one ulp above 1 for a perfect line: still p = 0, not NaN."""
    r = np.array([1.0, -1.0, 1.0 + 2**-52, 1.0])
    n = np.array([10.0, 10.0, 10.0, 2.0])
    p = _pearson_p(r, n)
    assert p[:3].tolist() == [0.0, 0.0, 0.0]
    assert math.isnan(p[3])


def test_infinite_and_missing_numbers_are_written_as_null() -> None:
    assert _finite(math.inf) is None
    assert _finite(-math.inf) is None
    assert _finite(math.nan) is None
    assert _finite(123456.0) == 123500.0


# Trends: per which unit, said which way, over which period.


def _dated(days: list[str], **columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"day": pd.to_datetime(days), **columns})


def _wiggle(count: int, slope: float, start: float = 10.0) -> list[float]:
    return [start + slope * i + (0.3 if i % 2 else -0.3) for i in range(count)]


def test_every_measure_gets_its_trend() -> None:
    noise = [5.0, -4.0, 6.0, -7.0, 3.0, -5.0, 8.0, -6.0, 4.0, -3.0]
    w = [100.0 - 3 * i + e for i, e in enumerate(noise)]
    frame = _dated(_days("2022-03-01", 10), v=_wiggle(10, 2.0), w=w)
    assert abs(frame["v"].corr(frame["w"])) < 0.98  # not a near-duplicate
    assert sorted(t.numbers["column"] for t in _kind(_found(frame), "trend")) == ["v", "w"]


def test_a_slope_under_1_still_rises() -> None:
    [trend] = _kind(_found(_dated(_days("2022-03-01", 10), v=_wiggle(10, 0.5))), "trend")
    fit = stats.linregress(np.arange(10), _wiggle(10, 0.5))
    assert 0 < fit.slope < 1
    assert trend.sentence.startswith(f"v rises by {fit.slope:.3g} per day over day ")


def test_a_slope_of_exactly_1_per_day_is_a_trend() -> None:
    values = [10.0 + i for i in range(8)]
    assert stats.linregress(np.arange(8.0), values).slope == 1.0
    [trend] = _kind(_found(_dated(_days("2022-03-01", 8), v=values)), "trend")
    assert trend.numbers["slope"] == 1.0


def test_a_slope_is_per_day_of_86400_seconds() -> None:
    """2.00051 a day is written 2.001 (4 significant digits); a day one second longer would
    make it 2.000."""
    values = [5.0 + 2.00051 * i for i in range(8)]
    fit = stats.linregress(np.arange(8.0), values)
    assert float(f"{fit.slope:.4g}") == 2.001
    [trend] = _kind(_found(_dated(_days("2022-03-01", 8), v=values)), "trend")
    assert trend.numbers["slope"] == 2.001


@pytest.mark.parametrize(
    ("span", "unit", "days_per"),
    [(60, "day", 1.0), (61, "month", 30.44), (729, "month", 30.44), (730, "year", 365.25)],
)
def test_a_slope_is_per_month_from_61_days_and_per_year_from_730(
    span: int, unit: str, days_per: float
) -> None:
    offsets = [round(span * k / 6) for k in range(7)]
    days = [str((pd.Timestamp("2021-01-01") + pd.Timedelta(days=d)).date()) for d in offsets]
    values = [3.0 + 0.2 * d + (0.5 if k % 2 else -0.5) for k, d in enumerate(offsets)]
    [trend] = _kind(_found(_dated(days, v=values)), "trend")
    fit = stats.linregress(offsets, values)
    assert trend.numbers["per"] == unit
    assert trend.numbers["slope"] == float(f"{fit.slope * days_per:.4g}")


def test_a_wide_tables_trend_is_over_their_years() -> None:
    years = [str(y) for y in range(2001, 2009)]
    rng = np.random.default_rng(13)
    table = rng.normal(0, 0.3, (5, 8)) + np.arange(8) * 1.5 + np.arange(5)[:, None] * 4
    frame = pd.DataFrame(table, columns=years).assign(country=[f"c{i}" for i in range(5)])
    [trend] = _kind(_found(frame), "trend")
    means = table.mean(axis=0)
    offsets = (pd.to_datetime(years, format="%Y") - pd.Timestamp("2001-01-01")).days
    fit = stats.linregress(offsets, means)
    assert trend.sentence.startswith(
        f"the mean of columns 2001 to 2008 rises by {fit.slope * 365.25:.2f} per year over "
        "their years (2001-01-01 to 2008-01-01; per-date means, R² = "
    )


# Dense dates: the shortest period giving at most 120 points, and at least 6 of them.


def test_130_years_of_yearly_values_stay_yearly() -> None:
    """No period gives 120 points or fewer: years it is, all 130 of them."""
    days = [f"{y}-01-01" for y in range(1890, 2020)]
    [trend] = _kind(_found(_dated(days, v=_wiggle(130, 0.05))), "trend")
    assert (trend.numbers["period"], trend.numbers["n"]) == ("yearly", 130)


def test_exactly_120_weeks_of_days_are_averaged_per_week() -> None:
    days = _days("2020-01-06", 840)  # a Monday, and 120 weeks of 7 days
    assert pd.Series(pd.to_datetime(days)).dt.to_period("W").nunique() == 120
    [trend] = _kind(_found(_dated(days, v=_wiggle(840, 0.1))), "trend")
    assert (trend.numbers["period"], trend.numbers["n"]) == ("weekly", 120)


def test_121_hourly_readings_are_6_daily_means() -> None:
    hours = pd.date_range("2024-03-01", periods=121, freq="h")
    frame = pd.DataFrame({"at": hours, "v": _wiggle(121, 0.1)})
    [trend] = _kind(_found(frame), "trend")
    assert (trend.numbers["period"], trend.numbers["n"]) == ("daily", 6)


# Splitting a series by a column that holds one series per group.


def _sites(groups: int) -> pd.DataFrame:
    days = _days("2022-05-01", 8)
    rows = [
        (d, f"s{g}", 2.0 * i + g + (0.1 if (i + g) % 2 else -0.1))
        for i, d in enumerate(days)
        for g in range(groups)
    ]
    frame = pd.DataFrame(rows, columns=["day", "site", "v"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


@pytest.mark.parametrize(("groups", "split"), [(12, True), (13, False)])
def test_a_column_splits_trends_up_to_12_groups(groups: int, split: bool) -> None:
    trends = _kind(_found(_sites(groups)), "trend")
    if split:
        assert sorted(t.numbers["group"]["value"] for t in trends) == sorted(
            f"s{g}" for g in range(12)
        )
    else:
        [pooled] = trends
        assert (pooled.numbers["group"], pooled.numbers["period"]) == (None, "per-date")


def test_dates_split_by_a_group_holding_them_1_5_times_each() -> None:
    """Each date three times, twice under a and once under b: 30 rows, 20 (date, g) pairs."""
    days = _days("2022-05-01", 10)
    rows = [(d, g, 2.0 * i + k) for i, d in enumerate(days) for k, g in enumerate("aab")]
    frame = pd.DataFrame(rows, columns=["day", "g", "v"]).assign(
        day=lambda f: pd.to_datetime(f["day"])
    )
    trends = _kind(_found(frame), "trend")
    assert {t.numbers["group"]["value"] for t in trends} == {"a", "b"}


def test_a_group_that_does_not_tell_repeated_dates_apart_pools_them() -> None:
    """Both rows of a date share its g: 2 rows per (date, g) pair, so one pooled series."""
    days = _days("2022-05-01", 12)
    rows = [(d, "ab"[i % 2], 2.0 * i + k) for i, d in enumerate(days) for k in (0.0, 1.0)]
    frame = pd.DataFrame(rows, columns=["day", "g", "v"]).assign(
        day=lambda f: pd.to_datetime(f["day"])
    )
    [trend] = _kind(_found(frame), "trend")
    assert (trend.numbers["group"], trend.numbers["period"], trend.numbers["n"]) == (
        None,
        "per-date",
        12,
    )


def test_of_two_columns_that_split_alike_the_first_is_used() -> None:
    frame = _sites(2).assign(region=lambda f: f["site"].map({"s0": "north", "s1": "south"}))
    frame = frame[["day", "region", "site", "v"]]
    trends = _kind(_found(frame), "trend")
    assert {t.numbers["group"]["column"] for t in trends} == {"region"}


# Predictors of a numeric target: which are named, and their numbers.


def test_the_five_strongest_predictors_are_named_with_their_numbers() -> None:
    """y is unknown in the last 2 rows, where alone a varies: a has no test, x1..x6 do."""
    rng = np.random.default_rng(14)
    y = np.arange(40.0)
    noise = {f"x{k}": sigma for k, sigma in enumerate((4, 6, 8, 10, 13, 16), start=1)}
    frame = pd.DataFrame({"y": [*y[:38], np.nan, np.nan], "a": [1.0] * 38 + [2.0, 3.0]})
    for name, sigma in noise.items():
        frame[name] = y + rng.normal(0, sigma, 40)
    frame["noise"] = rng.normal(0, 1, 40)
    tested = {n: stats.pearsonr(frame[n][:38], y[:38]) for n in [*noise, "noise"]}
    assert tested["noise"].statistic ** 2 < 0.06
    strongest = sorted(noise, key=lambda n: -(tested[n].statistic ** 2))
    [said] = _kind(_found(frame), "predictors")

    def four(value: float) -> float:
        return float(f"{value:.4g}")

    named = ", ".join(f"{n} (r² = {tested[n].statistic ** 2:.2f})" for n in strongest[:5])
    assert said.sentence == (
        f"The strongest predictors of y are {named} "
        "(Pearson correlation, p < 0.001 for the strongest)."
    )
    assert said.numbers["predictors"] == [
        {
            "column": n,
            "statistic": four(tested[n].statistic),
            "p_value": four(tested[n].pvalue),
            "effect_size": four(tested[n].statistic ** 2),
            "n": 38,
        }
        for n in strongest[:5]
    ]
    top = tested[strongest[0]]
    assert {
        k: said.numbers[k] for k in ("statistic", "p_value", "n", "effect_size", "more_predictors")
    } == {
        "statistic": four(top.statistic),
        "p_value": four(top.pvalue),
        "n": 38,
        "effect_size": four(top.statistic**2),
        "more_predictors": 1,
    }


@pytest.mark.usefixtures("strict_warnings")
@pytest.mark.parametrize(("x", "tests"), [([1.0, 2.0, 2.0], 1), ([4.0, 4.0, 4.0], 0)])
def test_a_predictor_is_tested_on_two_values_of_it_and_of_the_target(
    x: list[float], tests: int
) -> None:
    """Where both are known: y is 5, 5, 9 (two values) and x two values, or one (no test)."""
    y = [5.0, 5.0, 9.0, *[float(v) for v in range(10, 36)], np.nan]
    frame = pd.DataFrame({"y": y, "x": [*x, *[np.nan] * 26, 7.0]})
    assert frame["y"].nunique() > 20
    assert _found(frame).tests == tests


def test_an_anova_runs_on_a_measure_of_two_values() -> None:
    frame = pd.DataFrame({"label": list("aaabbb"), "x": [1.0, 1.0, 2.0, 2.0, 2.0, 1.0]})
    assert _found(frame).tests == 1


# Correlations: q-values among the file's tests.


def _with_r(r: float, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two columns whose sample correlation is exactly r."""
    rng = np.random.default_rng(seed)
    x, noise = rng.normal(size=rows), rng.normal(size=rows)
    x = (x - x.mean()) / x.std()
    noise -= noise.mean() + (noise @ x) / (x @ x) * x
    noise /= noise.std()
    return x, r * x + np.sqrt(1 - r * r) * noise


def test_a_findings_q_value_is_its_rank_among_all_the_files_tests() -> None:
    a, b = _with_r(0.9, 20, 16)
    c = np.random.default_rng(17).normal(size=20)
    frame = pd.DataFrame({"a": a, "b": b, "c": c})
    p_values = [
        stats.pearsonr(frame[x], frame[y]).pvalue for x, y in (("a", "b"), ("a", "c"), ("b", "c"))
    ]
    p_values += [stats.skewtest(frame[n]).pvalue for n in "abc"]
    q = stats.false_discovery_control(p_values)
    said = next(f for f in _kind(_found(frame), "correlation") if f.numbers["b"] == "b")
    assert said.numbers["q_value"] == float(f"{q[0]:.4g}")


def test_a_finding_that_fails_the_correction_does_not_hide_the_next() -> None:
    """a~b (r = 0.8 on 5 rows) fails the correction; c's skewness after it is still said."""
    a, b = _with_r(0.8, 5, 18)
    c = np.exp(np.random.default_rng(19).normal(0, 1, 40))
    gaps = [np.nan] * 35
    frame = pd.DataFrame({"a": [*a, *gaps], "b": [*b, *gaps], "c": c})
    assert stats.pearsonr(a, b).pvalue > 0.05
    said = [f for f in _found(frame).findings if f.kind != "missing"]
    assert [f.kind for f in said] == ["skew"]


# Ranking: by strength, a skew's being |s| / (|s| + 2).


def test_a_skew_ranks_by_its_skewness_over_skewness_plus_2() -> None:
    v = np.exp(np.random.default_rng(20).normal(0, 1, 100))
    skew = float(stats.skew(v, bias=False))
    strength = skew / (skew + 2)
    high, low = math.ceil(100 * strength) + 1, math.floor(100 * strength) - 1
    assert skew / (skew + 3) < low / 100 < strength < high / 100
    frame = pd.DataFrame(
        {
            "v": v,
            "note": ["x" if i >= high else None for i in range(100)],
            "memo": ["y" if i >= low else None for i in range(100)],
        }
    )
    found = _found(frame)
    assert [(f.kind, f.numbers["column"]) for f in found.findings] == [
        ("missing", "note"),
        ("skew", "v"),
        ("missing", "memo"),
    ]


# Two integer columns, the second a reordering of the first (so both have one variance),
# whose Pearson r pandas computes as exactly 0.6 (20 rows) and 0.5 (30 rows).
_X60 = [18, 7, 1, 15, 39, 38, 33, 14, 10, 1, 28, 5, 31, 26, 4, 10, 10, 32, 38, 0]
_Y60 = [5, 10, 7, 32, 38, 31, 15, 10, 10, 1, 26, 0, 33, 14, 1, 38, 4, 18, 39, 28]
_X50 = [19, 20, 36, 32, 36, 11, 39, 34, 27, 22, 0, 35, 16, 23, 0]
_X50 += [35, 1, 33, 18, 38, 35, 9, 24, 30, 25, 8, 4, 13, 27, 10]
_Y50 = [13, 1, 35, 36, 35, 22, 39, 36, 23, 8, 24, 25, 16, 10, 20]
_Y50 += [33, 27, 35, 27, 38, 0, 0, 34, 30, 19, 4, 18, 11, 32, 9]


def test_a_correlation_of_exactly_0_5_is_said() -> None:
    frame = pd.DataFrame({"a": _X50, "b": _Y50})
    assert sorted(_X50) == sorted(_Y50)
    assert frame.corr().loc["a", "b"] == 0.5
    assert stats.pearsonr(_X50, _Y50).pvalue < 0.01
    [said] = _kind(_found(frame), "correlation")
    assert said.numbers["r"] == 0.5


def test_of_two_findings_as_strong_a_count_comes_before_a_test() -> None:
    """r = 0.6 and 12 of 20 rows missing: strengths tie at 0.6; a count (no p) leads."""
    frame = pd.DataFrame(
        {"a": _X60, "b": _Y60, "note": [None if i < 12 else "late" for i in range(20)]}
    )
    assert sorted(_X60) == sorted(_Y60)
    assert frame[["a", "b"]].corr().loc["a", "b"] == 0.6 == 12 / 20
    found = _found(frame)
    assert [f.kind for f in found.findings] == ["missing", "correlation"]


def test_a_significant_predictor_explaining_under_6_percent_is_not_named() -> None:
    """On 2,000 rows r of about 0.2 has p < 1e-6, but r² of about 0.04 is too little to say."""
    rng = np.random.default_rng(21)
    y = np.arange(2000.0)
    strong = y + rng.normal(0, 600, 2000)
    weak = 0.2 * (y - y.mean()) / y.std() + np.sqrt(1 - 0.04) * rng.normal(0, 1, 2000)
    tested = stats.pearsonr(weak, y)
    assert tested.statistic**2 < 0.06 and tested.pvalue < 1e-6
    frame = pd.DataFrame({"y": y, "strong": strong, "weak": weak})
    [said] = _kind(_found(frame), "predictors")
    assert [p["column"] for p in said.numbers["predictors"]] == ["strong"]
    assert said.numbers["more_predictors"] == 0
