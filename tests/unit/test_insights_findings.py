"""Findings on real datasets: what an analyst knows is found, with its test; noise is not.

The datasets come from installed PyPI packages (tests/real_datasets.py). Every expected
statistic is computed here independently with scipy or the standard library.
"""

import io
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from temporalio.exceptions import ApplicationError

from activities.catalog.insights import GenerateInsightsParams
from activities.realms.findings import FileInsights, Finding, _num, _p, _pearson_p
from activities.realms.insights import generate_insights
from tests.real_datasets import DATASETS, with_index
from tests.realm_files import Files

INDEX = "column_1"
"""The reader's name for the index column `to_csv` writes with an empty header (pandas
calls it "Unnamed: 0")."""


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _insights(files: Files, name: str, content: bytes | str, **params: Any) -> FileInsights:
    ref = files.add(name, content)
    result = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[ref.file_id], **params))
    return result.files[0]


def _correlation(found: FileInsights, a: str, b: str) -> Finding:
    return next(
        f
        for f in found.findings
        if f.kind == "correlation" and {a, b} == {f.numbers["a"], f.numbers["b"]}
    )


def _mentioned(found: FileInsights) -> str:
    return json.dumps([f.model_dump() for f in found.findings])


def test_iris_petal_length_and_width_correlate_at_0_96(files: Files) -> None:
    content = DATASETS["iris.csv"]()
    found = _insights(files, "iris.csv", content)
    finding = _correlation(found, "petal length (cm)", "petal width (cm)")
    frame = pd.read_csv(io.BytesIO(content))
    expected = stats.pearsonr(frame["petal length (cm)"], frame["petal width (cm)"])
    assert finding.numbers["r"] == pytest.approx(0.96, abs=0.005)
    assert finding.numbers["r"] == pytest.approx(expected.statistic, abs=1e-4)
    assert finding.numbers["p_value"] == pytest.approx(expected.pvalue, rel=1e-3)
    assert finding.numbers["n"] == 150
    assert set(finding.numbers) >= {"test", "statistic", "p_value", "q_value", "effect_size"}


def test_cars_mpg_falls_with_weight_at_minus_0_83(files: Files) -> None:
    content = DATASETS["cars.json"]()
    found = _insights(files, "cars.json", content)
    finding = _correlation(found, "Miles_per_Gallon", "Weight_in_lbs")
    frame = pd.DataFrame(json.loads(content))[["Miles_per_Gallon", "Weight_in_lbs"]].dropna()
    expected = stats.pearsonr(frame["Miles_per_Gallon"], frame["Weight_in_lbs"])
    assert finding.numbers["r"] == pytest.approx(-0.83, abs=0.005)
    assert finding.numbers["r"] == pytest.approx(expected.statistic, abs=1e-4)
    assert finding.numbers["n"] == len(frame)
    assert "falls" in finding.sentence


@pytest.mark.parametrize("name", ["iris.csv", "wine.csv", "breast_cancer.csv"])
def test_a_class_label_is_reported_by_its_predictors_never_correlated(
    files: Files, name: str
) -> None:
    content = DATASETS[name]()
    found = _insights(files, name, content)
    for finding in found.findings:
        if finding.kind in ("correlation", "trend", "skew"):
            assert "target" not in (finding.numbers.get("a"), finding.numbers.get("b"))
            assert finding.numbers.get("column") != "target"
    [predictors] = [f for f in found.findings if f.kind == "predictors"]
    assert predictors.sentence.startswith("The strongest predictors of target are ")
    frame = pd.read_csv(io.BytesIO(content))
    top = predictors.numbers["predictors"][0]
    groups = [g.to_numpy() for _, g in frame.groupby("target")[top["column"]]]
    expected = stats.f_oneway(*groups)
    assert top["statistic"] == pytest.approx(expected.statistic, rel=1e-3)
    eta = [_eta_squared(frame, c) for c in frame.columns if c != "target"]
    assert top["effect_size"] == pytest.approx(max(eta), abs=1e-3)


def _eta_squared(frame: pd.DataFrame, column: str) -> float:
    """Between-class sum of squares over the total, computed directly."""
    values = frame[column]
    grand = values.mean()
    between = sum(len(g) * (g.mean() - grand) ** 2 for _, g in values.groupby(frame["target"]))
    return float(between / ((values - grand) ** 2).sum())


def test_random_numbers_give_no_trend_correlation_or_skew(files: Files) -> None:
    rng = np.random.default_rng(16)
    rows = 2_000
    frame = pd.DataFrame(rng.normal(size=(rows, 12)), columns=[f"x{i}" for i in range(12)])
    frame.insert(0, "id", np.arange(1, rows + 1))
    frame.insert(1, "day", pd.date_range("2020-01-01", periods=rows, freq="D"))
    found = _insights(files, "random.csv", frame.to_csv())
    assert not [f for f in found.findings if f.kind in ("correlation", "trend", "skew")]
    assert found.tests >= 66 + 12  # every pair, and a trend per column, were tested
    assert {o.column: o.reason for o in found.left_out}.keys() >= {INDEX, "id"}


def test_ids_and_row_indexes_never_appear_in_findings(files: Files) -> None:
    """An order id rising with the date, and pandas' index column, are no measurements."""
    rng = random.Random(5)
    lines = ["order_id,OrderNo,date,amount,units"]
    for i in range(300):
        amount, units = 50 + rng.gauss(0, 5), rng.randint(1, 9)
        lines.append(f"{1000 + i},{i},2023-{i % 12 + 1:02d}-{i % 28 + 1:02d},{amount:.2f},{units}")
    found = _insights(files, "orders.csv", with_index("\n".join(lines).encode()))
    text = _mentioned(found)
    for column in ("order_id", "OrderNo", INDEX):
        assert column not in text
    reasons = {o.column: o.reason for o in found.left_out}
    assert reasons[INDEX] == "row index"
    assert reasons["order_id"] == "identifier"
    assert reasons["OrderNo"].startswith("row number or sequence id")


def test_near_duplicate_columns_are_collapsed_into_the_first(files: Files) -> None:
    found = _insights(files, "breast_cancer.csv", DATASETS["breast_cancer.csv"]())
    reasons = {o.column: o.reason for o in found.left_out}
    assert reasons["mean perimeter"].startswith("near-duplicate of mean radius")
    assert "mean perimeter" not in _mentioned(found)


def test_findings_are_ranked_capped_and_the_rest_counted(files: Files) -> None:
    found = _insights(files, "breast_cancer.csv", DATASETS["breast_cancer.csv"]())
    assert len(found.findings) == 20
    assert found.more_findings > 0
    strengths = [abs(f.numbers["r"]) for f in found.findings if f.kind == "correlation"]
    assert strengths == sorted(strengths, reverse=True)


def test_a_material_correlation_that_is_not_significant_is_not_said(files: Files) -> None:
    """r = 0.8 on 5 rows has p = 0.10; the same r on 50 rows is reported."""
    few = "a,b\n1,2\n2,1\n3,4\n4,3\n5,5.8\n"
    r = stats.pearsonr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5.8])
    assert r.statistic >= 0.8 and r.pvalue > 0.05
    assert not [f for f in _insights(files, "few.csv", few).findings if f.kind == "correlation"]
    many = "a,b\n" + "".join(
        f"{a + i / 100},{b}\n"
        for i in range(10)
        for a, b in [(1, 2), (2, 1), (3, 4), (4, 3), (5, 5.8)]
    )
    assert [f for f in _insights(files, "many.csv", many).findings if f.kind == "correlation"]


def test_a_significant_but_immaterial_trend_is_not_said(files: Files) -> None:
    """A slope with p < 0.01 that explains under 10 % of the variance (R² < 0.1) is noise
    to a reader; the same slope with less noise is a trend."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=100, freq="D")
    slope = np.arange(100) * 0.05
    noisy = pd.DataFrame({"day": days, "v": slope + rng.normal(0, 5.7, 100)})
    fit = stats.linregress(np.arange(100), noisy["v"])
    assert fit.rvalue**2 < 0.1 and fit.pvalue < 0.01
    found = _insights(files, "noisy.csv", noisy.to_csv(index=False))
    assert not [f for f in found.findings if f.kind == "trend"]
    clear = pd.DataFrame({"day": days, "v": slope + rng.normal(0, 0.5, 100)})
    [trend] = [
        f
        for f in _insights(files, "clear.csv", clear.to_csv(index=False)).findings
        if f.kind == "trend"
    ]
    expected = stats.linregress(np.arange(100), clear["v"])
    assert trend.numbers["p_value"] == pytest.approx(expected.pvalue, rel=1e-3, abs=1e-300)
    assert trend.numbers["effect_size"] == pytest.approx(expected.rvalue**2, abs=1e-3)
    assert trend.numbers["slope"] == pytest.approx(expected.slope * 30.44, rel=1e-3)
    assert trend.numbers["per"] == "month"


def test_iowa_trends_are_told_per_source(files: Files) -> None:
    """Pooled, the three sources blur into one trend with p = 0.38; per source they are clear."""
    content = DATASETS["iowa-electricity.csv"]()
    found = _insights(files, "iowa.csv", content)
    trends = [f for f in found.findings if f.kind == "trend"]
    assert trends
    assert all(t.numbers["group"]["column"] == "source" for t in trends)
    frame = pd.read_csv(io.BytesIO(content), parse_dates=["year"])
    for trend in trends:
        rows = frame[frame["source"] == trend.numbers["group"]["value"]]
        years = (rows["year"] - rows["year"].min()).dt.days
        expected = stats.linregress(years, rows["net_generation"])
        assert trend.numbers["p_value"] == pytest.approx(expected.pvalue, rel=1e-3)
        assert trend.numbers["slope"] == pytest.approx(expected.slope * 365.25, rel=1e-3)
    pooled = stats.linregress(
        (frame["year"] - frame["year"].min()).dt.days, frame["net_generation"]
    )
    assert pooled.pvalue > 0.05


def test_dense_daily_points_are_averaged_per_month(files: Files) -> None:
    found = _insights(files, "seattle.csv", DATASETS["seattle-weather.csv"]())
    assert found.date_column == "date"
    co2 = _insights(files, "co2.csv", DATASETS["co2.csv"]())
    [trend] = [f for f in co2.findings if f.kind == "trend"]
    assert trend.numbers["period"] == "yearly"
    assert trend.numbers["n"] == 44
    assert trend.numbers["slope"] > 0


def test_an_integer_year_column_is_read_as_years(files: Files) -> None:
    content = DATASETS["iowa-electricity.csv"]().decode().replace("-01-01,", ",")
    found = _insights(files, "iowa_years.csv", content, date_column="year")
    assert found.date_column == "year"
    trends = [f for f in found.findings if f.kind == "trend"]
    assert trends and {t.numbers["start"] for t in trends} == {"2001-01-01"}
    assert all(t.numbers["per"] == "year" for t in trends)


def test_a_yyyymmdd_column_is_read_as_dates(files: Files) -> None:
    days = pd.date_range("2024-01-01", periods=30, freq="D")
    frame = pd.DataFrame({"when": days.strftime("%Y%m%d").astype(int), "v": np.arange(30) * 2.0})
    found = _insights(files, "ymd.csv", frame.to_csv(index=False), date_column="when")
    [trend] = [f for f in found.findings if f.kind == "trend"]
    assert (trend.numbers["start"], trend.numbers["end"]) == ("2024-01-01", "2024-01-30")
    assert trend.numbers["slope"] == pytest.approx(2.0)
    assert trend.numbers["per"] == "day"


def test_an_unknown_date_column_fails_naming_the_columns(files: Files) -> None:
    with pytest.raises(ApplicationError) as raised:
        _insights(files, "iris.csv", DATASETS["iris.csv"](), date_column="when")
    assert raised.value.non_retryable
    assert raised.value.type == "invalid_params"
    assert "'when' is not a column of iris.csv" in raised.value.message
    assert "petal length (cm)" in raised.value.message


def test_a_date_column_without_dates_fails(files: Files) -> None:
    with pytest.raises(ApplicationError) as raised:
        _insights(files, "iris.csv", DATASETS["iris.csv"](), date_column="sepal width (cm)")
    assert raised.value.non_retryable
    assert "does not hold dates" in raised.value.message


def test_missing_data_and_duplicates_are_counted(files: Files) -> None:
    lines = ["a,b,c"] + [f"{i},{'' if i % 3 == 0 else i * 2},x" for i in range(30)]
    lines += [lines[5]] * 3
    found = _insights(files, "gaps.csv", "\n".join(lines) + "\n")
    missing = next(f for f in found.findings if f.kind == "missing")
    assert missing.numbers["missing"] == 10
    assert f"10 of {len(lines) - 1}" in missing.sentence
    duplicates = next(f for f in found.findings if f.kind == "duplicates")
    assert duplicates.numbers["duplicate_rows"] == 3


def _with_r(r: float, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two columns whose sample correlation is exactly r."""
    rng = np.random.default_rng(seed)
    x, noise = rng.normal(size=rows), rng.normal(size=rows)
    x = (x - x.mean()) / x.std()
    noise -= noise.mean() + (noise @ x) / (x @ x) * x  # orthogonal to x
    noise /= noise.std()
    return x, r * x + np.sqrt(1 - r * r) * noise


@pytest.mark.parametrize(("r", "said"), [(0.52, True), (0.48, False)])
def test_a_correlation_is_said_from_r_0_5(files: Files, r: float, said: bool) -> None:
    """Both are significant (n = 500); only |r| >= 0.5 is material."""
    a, b = _with_r(r, 500, 1)
    assert stats.pearsonr(a, b).pvalue < 1e-20
    found = _insights(files, "r.csv", pd.DataFrame({"a": a, "b": b}).to_csv(index=False))
    assert bool([f for f in found.findings if f.kind == "correlation"]) is said


def test_p_values_are_corrected_for_the_number_of_tests(files: Files) -> None:
    """r = 0.7 on 12 rows has p = 0.01: said among the file's 3 tests (the pair and two
    skewness tests); among 55 (45 pairs, 10 skewness tests) Benjamini-Hochberg, computed
    here with scipy, lifts it over 0.05, and it is not said."""
    a, b = _with_r(0.7, 12, 2)
    p = stats.pearsonr(a, b).pvalue
    assert 0.005 < p < 0.05
    alone = pd.DataFrame({"a": a, "b": b})
    assert _q_of_a_and_b(alone) < 0.05
    found = _insights(files, "alone.csv", alone.to_csv(index=False))
    assert [f for f in found.findings if f.kind == "correlation"]
    rng = np.random.default_rng(20)
    crowd = alone.assign(**{f"n{i}": rng.normal(size=12) for i in range(8)})
    assert _q_of_a_and_b(crowd) > 0.05
    found = _insights(files, "crowd.csv", crowd.to_csv(index=False))
    assert not [f for f in found.findings if {"a", "b"} == {f.numbers.get("a"), f.numbers.get("b")}]
    assert found.tests == 45 + 10


def _q_of_a_and_b(frame: pd.DataFrame) -> float:
    """The Benjamini-Hochberg q-value of a~b among every pair's and column's test."""
    pairs = [(x, y) for i, x in enumerate(frame) for y in list(frame)[i + 1 :]]
    p_values = [stats.pearsonr(frame[x], frame[y]).pvalue for x, y in pairs]
    skews = [stats.skewtest(frame[c]).pvalue for c in frame]
    q = stats.false_discovery_control([*p_values, *skews])
    return float(q[pairs.index(("a", "b"))])


def _trends(found: FileInsights) -> list[Finding]:
    return [f for f in found.findings if f.kind == "trend"]


def _per(value: float) -> str:
    """A slope as the README says findings write numbers: 2 decimals from 1 to 100."""
    assert 1 <= abs(value) < 100
    return f"{abs(value):.2f}"


def test_a_trend_finding_says_what_rises_by_how_much_per_month(files: Files) -> None:
    days = pd.date_range("2020-01-01", periods=100, freq="D")
    values = [2.0 * i + (0.5 if i % 2 else -0.5) for i in range(100)]
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": values})
    [trend] = _trends(_insights(files, "rise.csv", frame.to_csv(index=False)))
    fit = stats.linregress(np.arange(100), values)
    slope, r2 = fit.slope * 30.44, fit.rvalue**2
    assert trend.sentence == (
        f"v rises by {_per(slope)} per month over day (2020-01-01 to 2020-04-09; "
        f"R² = {r2:.2f}, p < 0.001, n = 100)."
    )
    numbers = dict(trend.numbers)
    assert numbers.pop("q_value") is not None
    assert numbers == {
        "test": "least-squares linear trend",
        "statistic": float(f"{fit.slope / fit.stderr:.4g}"),
        "p_value": float(f"{fit.pvalue:.4g}"),
        "n": 100,
        "effect_size": float(f"{r2:.4g}"),
        "effect": "R²",
        "column": "v",
        "date_column": "day",
        "group": None,
        "slope": float(f"{slope:.4g}"),
        "per": "month",
        "period": None,
        "start": "2020-01-01",
        "end": "2020-04-09",
    }


def test_a_trend_per_group_names_its_group_and_falls_per_day(files: Files) -> None:
    """Each date once per group: one series per group, over a span of days."""
    days = pd.date_range("2021-03-01", periods=10, freq="D").strftime("%Y-%m-%d")
    up = [10.0 + 3 * i + (0.2 if i % 2 else -0.2) for i in range(10)]
    down = [100.0 - 3 * i + (0.2 if i % 2 else -0.2) for i in range(10)]
    frame = pd.DataFrame({"day": list(days) * 2, "g": ["a"] * 10 + ["b"] * 10, "v": up + down})
    trends = {
        t.numbers["group"]["value"]: t
        for t in _trends(_insights(files, "g.csv", frame.to_csv(index=False)))
    }
    fit = stats.linregress(np.arange(10), down)
    assert trends["b"].sentence == (
        f"v for g = b falls by {_per(fit.slope)} per day over day (2021-03-01 to 2021-03-10; "
        f"R² = {fit.rvalue**2:.2f}, p < 0.001, n = 10)."
    )
    assert trends["b"].numbers["group"] == {"column": "g", "value": "b"}
    assert trends["b"].numbers["per"] == "day"
    assert trends["a"].sentence.startswith("v for g = a rises by ")


@pytest.mark.parametrize(("rows", "split"), [(15, False), (16, True)])
def test_dates_are_split_by_a_group_only_when_they_repeat_more_than_1_5_times(
    files: Files, rows: int, split: bool
) -> None:
    """10 distinct dates: 15 rows pool into one series, 16 split by the group column."""
    days = pd.date_range("2021-03-01", periods=10, freq="D").strftime("%Y-%m-%d")
    dates = [*days, *days[: rows - 10]]
    groups = ["a"] * 10 + ["b"] * (rows - 10)
    values = [float(i) * 2 + (i % 3) * 0.1 for i in range(10)] + [
        float(i) * 2 + 0.05 for i in range(rows - 10)
    ]
    frame = pd.DataFrame({"day": dates, "g": groups, "v": values})
    trends = _trends(_insights(files, "s.csv", frame.to_csv(index=False)))
    assert trends
    assert all((t.numbers["group"] is not None) is split for t in trends)


def test_dense_dates_are_averaged_per_the_shortest_period_that_fits(files: Files) -> None:
    days = pd.date_range("2020-01-01", periods=400, freq="D")
    values = [0.1 * i + (1.0 if i % 2 else -1.0) for i in range(400)]
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": values})
    [trend] = _trends(_insights(files, "dense.csv", frame.to_csv(index=False)))
    weeks = pd.Series(days).dt.to_period("W").nunique()
    assert weeks <= 120 < 400
    assert trend.numbers["period"] == "weekly"
    assert trend.numbers["n"] == weeks
    assert "(2020-01-01 to 2021-02-03; weekly means, R² = " in trend.sentence


def _six(first: int) -> list[int]:
    return [first + i for i in range(6)]


@pytest.mark.parametrize(
    ("whens", "accepted"),
    [
        (_six(1000), True),
        (_six(999), False),
        (_six(2994), True),
        ([2994, 2995, 2996, 2997, 2998, 3000], False),
        (_six(10000101), True),
        ([10000100, *_six(10000101)[1:]], False),
        (_six(29991226), True),
        ([20240225, 20240226, 20240227, 20240228, 20240229, 20240230], False),
    ],
)
def test_whole_numbers_are_dates_only_as_years_1000_to_2999_or_real_yyyymmdd(
    files: Files, whens: list[int], accepted: bool
) -> None:
    """Six whole numbers and one gap: the column holds dates, or the request fails."""
    rows = [f"{w},{i * 2.0 + (i % 2) * 0.1}" for i, w in enumerate(whens)]
    content = "\n".join(["when,v", *rows, ",13"]) + "\n"
    if accepted:
        assert _insights(files, "w.csv", content, date_column="when").date_column == "when"
    else:
        with pytest.raises(ApplicationError, match="does not hold dates"):
            _insights(files, "w.csv", content, date_column="when")


@pytest.mark.parametrize(("levels", "test"), [(20, "one-way ANOVA"), (21, "Pearson correlation")])
def test_a_numeric_target_is_a_class_label_up_to_20_values(
    files: Files, levels: int, test: str
) -> None:
    rng = np.random.default_rng(3)
    y = np.arange(105) % levels
    frame = pd.DataFrame(
        {"y": y, "x1": y * 3.0 + rng.normal(0, 0.5, 105), "x2": rng.normal(0, 1, 105)}
    )
    found = _insights(files, "t.csv", frame.to_csv(index=False))
    [predictors] = [f for f in found.findings if f.kind == "predictors"]
    assert predictors.numbers["test"] == test
    top = predictors.numbers["predictors"][0]
    assert top["column"] == "x1"
    if levels == 21:
        expected = stats.pearsonr(frame["x1"], frame["y"])
        assert predictors.numbers["effect"] == "r²"
        assert top["statistic"] == pytest.approx(expected.statistic, rel=1e-3)
        assert top["effect_size"] == pytest.approx(expected.statistic**2, rel=1e-3)
        assert predictors.sentence.startswith(
            f"The strongest predictors of y are x1 (r² = {expected.statistic**2:.2f})"
        )
        assert predictors.sentence.endswith("(Pearson correlation, p < 0.001 for the strongest).")
    else:
        assert predictors.numbers["effect"] == "eta squared"
        assert predictors.sentence.startswith("The strongest predictors of y are x1 (η² = ")


@pytest.mark.parametrize(("points", "said"), [(6, True), (5, False)])
def test_a_trend_needs_six_dates(files: Files, points: int, said: bool) -> None:
    days = pd.date_range("2022-05-01", periods=points, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"day": days, "v": [10.0 * i + (i % 2) for i in range(points)]})
    assert bool(_trends(_insights(files, "six.csv", frame.to_csv(index=False)))) is said


def test_two_levels_are_enough_for_a_trend(files: Files) -> None:
    days = pd.date_range("2022-05-01", periods=8, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"day": days, "v": [0.0] * 4 + [1.0] * 4})
    fit = stats.linregress(np.arange(8), frame["v"])
    assert fit.pvalue < 0.01
    [trend] = _trends(_insights(files, "steps.csv", frame.to_csv(index=False)))
    assert trend.numbers["p_value"] == float(f"{fit.pvalue:.4g}")


def test_repeated_dates_without_a_group_are_averaged_per_date(files: Files) -> None:
    days = list(pd.date_range("2022-05-01", periods=8, freq="D").strftime("%Y-%m-%d"))
    values = [3.0 * i + d for i in range(8) for d in (-1.0, 1.0)]
    frame = pd.DataFrame({"day": [d for d in days for _ in (0, 1)], "v": values})
    [trend] = _trends(_insights(files, "twice.csv", frame.to_csv(index=False)))
    assert trend.numbers["period"] == "per-date"
    assert trend.numbers["n"] == 8
    assert trend.numbers["slope"] == pytest.approx(3.0)
    assert "(2022-05-01 to 2022-05-08; per-date means, R² = 1.00" in trend.sentence


@pytest.mark.parametrize(("points", "period"), [(120, None), (121, "weekly")])
def test_points_are_averaged_past_120_dates(files: Files, points: int, period: str | None) -> None:
    days = pd.date_range("2020-01-01", periods=points, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"day": days, "v": [0.5 * i + (i % 2) for i in range(points)]})
    [trend] = _trends(_insights(files, "edge.csv", frame.to_csv(index=False)))
    assert trend.numbers["period"] == period
    weeks = pd.Series(pd.to_datetime(days)).dt.to_period("W").nunique()
    assert trend.numbers["n"] == (points if period is None else weeks)


def test_a_class_of_one_row_is_left_out_of_the_anova(files: Files) -> None:
    rng = np.random.default_rng(5)
    x = [*rng.normal(0, 1, 30), *rng.normal(3, 1, 30), 50.0]
    frame = pd.DataFrame({"label": ["a"] * 30 + ["b"] * 30 + ["c"], "x": x})
    [predictors] = [
        f
        for f in _insights(files, "one.csv", frame.to_csv(index=False)).findings
        if f.kind == "predictors"
    ]
    expected = stats.f_oneway(frame["x"][:30], frame["x"][30:60])
    top = predictors.numbers["predictors"][0]
    assert top["statistic"] == pytest.approx(expected.statistic, rel=1e-3)
    assert top["n"] == 61


def _only(found: FileInsights, kind: str) -> Finding:
    [finding] = [f for f in found.findings if f.kind == kind]
    return finding


def _reasons(found: FileInsights) -> dict[str, str]:
    return {o.column: o.reason for o in found.left_out}


@pytest.mark.parametrize(("r", "direction"), [(0.9, "rises"), (-0.9, "falls")])
def test_a_correlation_on_8_rows_has_pearsonr_p_value_and_says_it(
    files: Files, r: float, direction: str
) -> None:
    """On 8 rows one degree of freedom fewer lifts p from 0.0023 to 0.0039: scipy's is kept."""
    a, b = _with_r(r, 8, 4)
    expected = stats.pearsonr(a, b)
    assert 0.001 < expected.pvalue < 0.01
    found = _insights(files, "eight.csv", pd.DataFrame({"a": a, "b": b}).to_csv(index=False))
    finding = _correlation(found, "a", "b")
    assert finding.numbers["p_value"] == float(f"{expected.pvalue:.4g}")
    assert finding.numbers["statistic"] == pytest.approx(r, abs=1e-3)
    assert finding.numbers["effect_size"] == pytest.approx(r, abs=1e-3)
    assert finding.numbers["r"] == pytest.approx(r, abs=1e-4)
    assert (finding.numbers["test"], finding.numbers["effect"]) == ("Pearson correlation", "r")
    assert finding.numbers["n"] == 8
    assert finding.sentence == (
        f"b {direction} with a (r = {r:.2f}, p = {expected.pvalue:.3f}, n = 8)."
    )


def test_pearson_p_values_match_scipy_at_3_pairs_and_r_of_1_and_none_at_2() -> None:
    """Two points always lie on a line: their r of ±1 tests nothing, so p is not given."""
    x3, y3 = _with_r(0.9, 3, 6)
    three = stats.pearsonr(x3, y3)
    line = np.arange(10.0)
    r = np.array([three.statistic, 1.0, -1.0, 1.0, -1.0])
    n = np.array([3.0, 10.0, 10.0, 2.0, 2.0])
    p = _pearson_p(r, n)
    assert p[0] == pytest.approx(three.pvalue, rel=1e-6)
    assert p[1] == pytest.approx(stats.pearsonr(line, 2 * line).pvalue, abs=1e-12)
    assert p[2] == pytest.approx(stats.pearsonr(line, -line).pvalue, abs=1e-12)
    assert np.isnan(p[3:]).all()


@pytest.mark.parametrize(("r", "collapsed"), [(0.985, True), (-0.985, True), (0.975, False)])
def test_a_column_is_a_near_duplicate_from_r_0_98(files: Files, r: float, collapsed: bool) -> None:
    a, b = _with_r(r, 200, 7)
    measured = float(np.corrcoef(a, b)[0, 1])
    found = _insights(files, "twins.csv", pd.DataFrame({"a": a, "b": b}).to_csv(index=False))
    if collapsed:
        assert _reasons(found) == {"b": f"near-duplicate of a (r = {measured:.3f})"}
        assert not [f for f in found.findings if f.kind == "correlation"]
    else:
        assert _reasons(found) == {}
        assert _correlation(found, "a", "b").numbers["r"] == pytest.approx(measured, abs=1e-4)


@pytest.mark.parametrize(
    ("sign", "side", "mean", "median"), [(1, "right", "100", "1.00"), (-1, "left", "100", "1.00")]
)
def test_a_skewed_column_is_said_with_its_test_mean_and_median(
    files: Files, sign: int, side: str, mean: str, median: str
) -> None:
    """18 ones and two 991s: mean exactly 100, median exactly 1, written 100 and 1.00."""
    values = sign * np.array([1.0] * 18 + [991.0] * 2)
    skew = float(pd.Series(values).skew())
    test = stats.skewtest(values)
    assert test.pvalue < 0.001 and abs(skew) > 1
    found = _insights(files, "skew.csv", pd.DataFrame({"v": values}).to_csv(index=False))
    finding = _only(found, "skew")
    sign_text = "-" if sign < 0 else ""
    assert finding.sentence == (
        f"v is skewed to the {side} (skewness {skew:.2f}, p < 0.001; "
        f"mean {sign_text}{mean} vs median {sign_text}{median})."
    )
    assert finding.numbers == {
        "test": "D'Agostino skewness test",
        "statistic": float(f"{test.statistic:.4g}"),
        "p_value": float(f"{test.pvalue:.4g}"),
        "q_value": float(f"{test.pvalue:.4g}"),
        "n": 20,
        "effect_size": float(f"{skew:.4g}"),
        "effect": "skewness",
        "column": "v",
        "mean": sign * 100.0,
        "median": sign * 1.0,
    }


@pytest.mark.parametrize(("rows", "tests"), [(8, 1), (7, 0)])
def test_skewness_is_tested_from_8_values_with_or_without_gaps(
    files: Files, rows: int, tests: int
) -> None:
    """A column without gaps and one with a gap (tested apart) each need 8 values."""
    values = [float(v) for v in (1, 2, 3, 5, 8, 13, 21, 34)[:rows]]
    full = _insights(files, "full.csv", pd.DataFrame({"v": values}).to_csv(index=False))
    assert full.tests == tests
    gapped = pd.DataFrame({"v": [*values, None]})
    assert _insights(files, "gap.csv", gapped.to_csv(index=False)).tests == tests


def test_a_skewness_of_1_or_less_is_not_said(files: Files) -> None:
    """Significant on 5,000 rows, but |skewness| <= 1 is not worth saying; above it is."""
    rng = np.random.default_rng(8)
    mild, strong = rng.gamma(4.5, size=5000), rng.gamma(3.0, size=5000)
    assert 0.8 < stats.skew(mild, bias=False) < 1.0 < stats.skew(strong, bias=False) < 1.3
    assert stats.skewtest(mild).pvalue < 1e-10
    frame = pd.DataFrame({"mild": mild, "strong": strong[rng.permutation(5000)]})
    found = _insights(files, "gamma.csv", frame.to_csv(index=False))
    assert [f.numbers["column"] for f in found.findings if f.kind == "skew"] == ["strong"]


def test_left_out_reasons_are_worded_for_the_reader(files: Files) -> None:
    rows = 12
    frame = pd.DataFrame(
        {
            "index": np.arange(rows) * 2,
            "customer_id": np.arange(rows) * 3 % 7,
            "flat": [5] * rows,
            "seq": np.arange(10, 10 + rows),
            "column_9": np.arange(rows),
            "2001": np.arange(rows) * 1.5 % 4,
            "2003": np.arange(rows) * 2.5 % 3,
            "label": ["a", "b"] * (rows // 2),
            "v": np.arange(rows) % 5 * 1.0,
        }
    )
    found = _insights(files, "roles.csv", frame.to_csv(index=False))
    assert _reasons(found) == {
        "label": "class label or target: reported as its strongest predictors",
        "index": "row index",
        "customer_id": "identifier",
        "flat": "constant",
        "seq": "row number or sequence id (consecutive whole numbers)",
        "column_9": "row index",
        "2001": "one year of a wide table (2001 to 2003): a trend over the years",
        "2003": "one year of a wide table (2001 to 2003): a trend over the years",
    }


@pytest.mark.parametrize(
    ("values", "measured"),
    [(range(1, 10), True), ([*range(1, 10), 11], True), (range(1, 11), False)],
)
def test_a_sequence_needs_10_consecutive_whole_numbers(
    files: Files, values: list[int], measured: bool
) -> None:
    frame = pd.DataFrame({"n": list(values)})
    reasons = _reasons(_insights(files, "seq.csv", frame.to_csv(index=False)))
    assert ("n" not in reasons) is measured


@pytest.mark.parametrize("chars", [80, 81])
def test_a_column_name_is_shown_up_to_80_characters(files: Files, chars: int) -> None:
    name = "x" * (chars - 3) + "_id"
    frame = pd.DataFrame({name: [1, 2, 3], "v": [1.0, 2.0, 4.0]})
    [shown] = [o.column for o in _insights(files, "long.csv", frame.to_csv(index=False)).left_out]
    assert shown == (name if chars == 80 else name[:79] + "…")
    assert len(shown) == 80


def test_measures_past_the_first_200_are_left_out(files: Files) -> None:
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(rng.normal(size=(10, 201)), columns=[f"m{i}" for i in range(201)])
    found = _insights(files, "wide.csv", frame.to_csv(index=False))
    assert _reasons(found) == {"m200": "beyond the first 200 measurements"}


@pytest.mark.parametrize(("value", "written"), [(100.0, "100"), (99.99, "99.99"), (1.0, "1.00")])
def test_numbers_are_written_whole_from_100_and_with_2_decimals_from_1(
    value: float, written: str
) -> None:
    assert _num(value) == written
    assert _num(-value) == "-" + written
    assert _num(0.99949) == "0.999"
    assert _num(12345.6) == "12,346"


@pytest.mark.parametrize(("p", "written"), [(0.001, "p = 0.001"), (0.000999, "p < 0.001")])
def test_p_values_below_0_001_are_written_as_such(p: float, written: str) -> None:
    assert _p(p) == written


@pytest.mark.parametrize(("present", "tests"), [(2, 0), (3, 1)])
def test_a_numeric_target_is_correlated_with_a_measure_from_3_pairs(
    files: Files, present: int, tests: int
) -> None:
    """Two pairs always lie on a line (r = ±1, p = 1): no test is run on them."""
    y = np.arange(30) * 1.5
    x = [np.nan] * 30
    x[:present] = [1.0, 4.0, 2.0][:present]
    frame = pd.DataFrame({"y": y, "x": x})
    assert _insights(files, "few.csv", frame.to_csv(index=False)).tests == tests


def test_a_predictor_needs_two_values_of_the_target_and_of_itself(files: Files) -> None:
    y = [*[1.0] * 3, *np.arange(27.0)]
    frame = pd.DataFrame({"y": y, "x": [1.0, 2.0, 3.0, *[np.nan] * 27]})
    assert _insights(files, "one_y.csv", frame.to_csv(index=False)).tests == 0
    frame = pd.DataFrame({"y": np.arange(30.0), "x": [1.0] * 3 + [np.nan] * 25 + [2.0, 3.0]})
    assert _insights(files, "two_x.csv", frame.to_csv(index=False)).tests == 1


@pytest.mark.parametrize(("in_b", "tests"), [(0, 0), (1, 0), (2, 1)])
def test_an_anova_needs_two_classes_of_two_values(files: Files, in_b: int, tests: int) -> None:
    label = ["a"] * 3 + ["b"] * 3
    x = [1.0, 2.0, 4.0, *[5.0, 7.0][:in_b], *[np.nan] * (3 - in_b)]
    frame = pd.DataFrame({"label": label, "x": x})
    assert _insights(files, "classes.csv", frame.to_csv(index=False)).tests == tests
