"""A wide table (a column per year, as the World Bank writes one) gets one trend over its
years, not a correlation between each year and the next."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from activities.catalog.insights import GenerateInsightsParams
from activities.realms.findings import FileInsights
from activities.realms.insights import generate_insights
from tests.real_datasets import DATASETS
from tests.realm_files import Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _insights(files: Files, name: str, content: bytes | str) -> FileInsights:
    ref = files.add(name, content)
    result = generate_insights(files.ctx, GenerateInsightsParams(file_ids=[ref.file_id]))
    return result.files[0]


def test_fertility_falls_over_the_years_its_columns_name(files: Files) -> None:
    """World Bank births per woman, 1960-2013: the yearly mean over the countries falls."""
    content = DATASETS["fertility.csv"]()
    found = _insights(files, "fertility.csv", content)
    [trend] = [f for f in found.findings if f.kind == "trend"]
    frame = pd.read_csv(io.BytesIO(content))
    means = frame[[str(y) for y in range(1960, 2014)]].mean().dropna()
    years = pd.to_datetime(means.index, format="%Y")
    expected = stats.linregress((years - years.min()).days, means.to_numpy())
    assert trend.numbers["slope"] == pytest.approx(expected.slope * 365.25, rel=1e-3)
    assert trend.numbers["effect_size"] == pytest.approx(expected.rvalue**2, abs=1e-3)
    assert (trend.numbers["n"], trend.numbers["start"], trend.numbers["end"]) == (
        52,
        "1960-01-01",
        "2011-01-01",
    )
    assert trend.sentence.startswith("the mean of columns 1960 to 2011 falls by 0.0582 per year")
    assert not [f for f in found.findings if f.kind in ("correlation", "skew")]
    reasons = {o.column: o.reason for o in found.left_out}
    assert reasons["1960"] == "one year of a wide table (1960 to 2011): a trend over the years"


def _two_columns(a: str, b: str) -> str:
    """Two columns with r = 0.9 over 200 rows: a correlation when both are measures.

    As JSON records, whose keys are names whatever they look like (the reader takes a
    CSV header of 0999 and 1000 over numbers for a row of data).
    """
    rng = np.random.default_rng(7)
    x = rng.normal(size=200)
    y = 0.9 * x + np.sqrt(1 - 0.81) * rng.normal(size=200)
    frame = pd.DataFrame({"country": [f"c{i}" for i in range(200)], a: x, b: y})
    return str(frame.to_json(orient="records"))


@pytest.mark.parametrize(("a", "b"), [("2019", "2020"), ("1000", "2999")])
def test_two_year_columns_are_periods_not_measures(files: Files, a: str, b: str) -> None:
    found = _insights(files, "wide.json", _two_columns(a, b))
    assert not [f for f in found.findings if f.kind == "correlation"]
    assert {o.column for o in found.left_out} >= {a, b}


@pytest.mark.parametrize(("a", "b"), [("2020", "x"), ("0999", "1000"), ("2999", "3000")])
def test_one_year_column_is_a_measure(files: Files, a: str, b: str) -> None:
    found = _insights(files, "narrow.json", _two_columns(a, b))
    [correlation] = [f for f in found.findings if f.kind == "correlation"]
    assert {correlation.numbers["a"], correlation.numbers["b"]} == {a, b}
