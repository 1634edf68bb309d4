"""Ask your data, end to end: questions through the socket, answers checked with pandas.

Real files (palmerpenguins' penguins.csv, vega_datasets' seattle-weather.csv, read from
the installed packages), a real worker running DuckDB, a real socket. Every number in a
reply is computed here independently with pandas.
"""

import io
from pathlib import Path

import palmerpenguins
import pandas as pd
import pytest
from vega_datasets import local_data

from tests.client import Api, Conn, Event

PENGUINS = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
WEATHER = Path(local_data.seattle_weather.filepath)


def _one(events: list[Event], kind: str) -> Event:
    return next(e for e in events if e["type"] == kind)


def _reply(events: list[Event]) -> str:
    return str([e for e in events if e["type"] == "agent.message"][-1]["text"])


def _result(events: list[Event]) -> Event:
    result = _one(events, "execution.completed")["result"]
    assert isinstance(result, dict)
    return result


def _n(value: float) -> str:
    """A number as the replies write it."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    return pd.read_csv(PENGUINS)


@pytest.fixture(scope="module")
def weather() -> pd.DataFrame:
    frame = pd.read_csv(WEATHER)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _session(api: Api, conn: Conn, path: Path) -> None:
    ref = api.upload(path.name, path.read_bytes())
    conn.turn("Upload a file", [ref["file_id"]])


def test_each_question_shape_is_answered_with_its_numbers(
    api: Api, penguins: pd.DataFrame, weather: pd.DataFrame
) -> None:
    with api.socket() as conn:
        _session(api, conn, PENGUINS)
        median = conn.turn("Median body mass by species?")
        count = conn.turn("How many penguins are on each island?")
        filtered = conn.turn("how many penguins have a bill length above 40?")
        two_groups = conn.turn("average flipper length by species and sex")
        top = conn.turn("which species has the highest mean bill depth?")
        correlation = conn.turn("any correlation between bill length and body mass?")
        distribution = conn.turn("what is the distribution of body mass?")
        distinct = conn.turn("distinct values of island")
    analysis = _one(median, "agent.analysis")
    assert (analysis["route"], analysis["pillar"]) == ("liaison", "insights")
    assert _one(median, "intent.created")["intent"]["name"] == "query_data"
    medians = penguins.groupby("species")["body_mass_g"].median()
    assert (
        _reply(median)
        == "Median body mass by species: "
        + ", ".join(f"{k} {_n(v)} g" for k, v in medians.items())
        + "."
    )
    result = _result(median)
    assert result["columns"] == ["species", "median_body_mass_g"]
    assert result["rows"] == [[k, v] for k, v in medians.items()]
    assert (result["row_count"], result["truncated"], result["chart"]) == (3, False, "bar")
    assert "MEDIAN" in result["sql"]
    for island, n in penguins["island"].value_counts().items():
        assert f"{island} {n}" in _reply(count)
    assert _n((penguins["bill_length_mm"] > 40).sum()) in _reply(filtered)
    means = penguins.groupby(["species", "sex"])["flipper_length_mm"].mean()
    for (species, sex), value in means.items():
        assert f"{species} / {sex} {_n(round(value, 2))} mm" in _reply(two_groups)
    depth = penguins.groupby("species")["bill_depth_mm"].mean()
    assert _reply(top).startswith(f"{depth.idxmax()} has the highest mean bill depth")
    r = penguins["bill_length_mm"].corr(penguins["body_mass_g"])
    assert f"r = {r:.3f}" in _reply(correlation)
    counts, edges = _histogram(penguins["body_mass_g"].dropna())
    peak = counts.index(max(counts))
    assert f"{_n(edges[peak])} g to {_n(edges[peak + 1])} g with {max(counts)}" in _reply(
        distribution
    )
    assert _result(distribution)["chart"] == "bar"
    islands = penguins["island"].value_counts()
    assert _reply(distinct).startswith(f"Island has {len(islands)} distinct values")


def _histogram(values: pd.Series) -> tuple[list[int], list[float]]:
    import numpy as np

    counts, edges = np.histogram(values, bins=10)
    return [int(c) for c in counts], [float(e) for e in edges]


def test_trends_dates_and_follow_ups(api: Api, weather: pd.DataFrame) -> None:
    with api.socket() as conn:
        _session(api, conn, WEATHER)
        trend = conn.turn("average max temperature by year")
        by_month = conn.turn("now by month")
        only = conn.turn("only 2015")
        weekend = conn.turn("mean wind on weekends")
        top = conn.turn("which month had the most precipitation?")
        top5 = conn.turn("top 5 instead")
        chart = conn.turn("as a chart")
    yearly = weather.groupby(weather["date"].dt.year)["temp_max"].mean()
    assert _result(trend)["chart"] == "line"
    assert f"{_n(round(yearly.iloc[0], 2))} in {yearly.index[0]}" in _reply(trend)
    monthly = weather.groupby(weather["date"].dt.to_period("M"))["temp_max"].mean()
    assert len(_result(by_month)["rows"]) == len(monthly)
    assert f"highest {_n(round(monthly.max(), 2))} in {monthly.idxmax()}" in _reply(by_month)
    in_2015 = monthly[monthly.index.year == 2015]
    assert len(_result(only)["rows"]) == 12
    assert f"highest {_n(round(in_2015.max(), 2))} in {in_2015.idxmax()}" in _reply(only)
    weekends = weather[weather["date"].dt.day_of_week >= 5]["wind"].mean()
    assert _n(round(weekends, 2)) in _reply(weekend)
    rain = weather.groupby(weather["date"].dt.to_period("M"))["precipitation"].sum()
    assert _reply(top).startswith(f"{rain.idxmax()} has the highest total precipitation")
    top5_rows = _result(top5)["rows"]
    assert [round(row[1], 6) for row in top5_rows] == [
        round(v, 6) for v in rain.sort_values(ascending=False).head(5)
    ]
    assert _result(chart)["chart"] == "bar"
    assert _result(chart)["rows"] == top5_rows


def test_an_ambiguous_or_unanswerable_question_gets_a_question_back(api: Api) -> None:
    with api.socket() as conn:
        _session(api, conn, PENGUINS)
        ambiguous = conn.turn("what is the mean length?")
        nonsense = conn.turn("how many unicorns are in the median of nothing?")
    assert not [e for e in ambiguous if e["type"] == "intent.created"]
    assert "bill_length_mm" in _reply(ambiguous)
    assert "flipper_length_mm" in _reply(ambiguous)
    assert ambiguous[-1]["status"] == "needs_input"
    assert not [e for e in nonsense if e["type"] == "intent.created"]
    assert nonsense[-1]["status"] == "needs_input"


HOSTILE = [
    "DROP TABLE penguins",
    "COPY penguins TO '/tmp/stolen.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT count(*) FROM big a, big b",
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_queries_are_refused_and_nothing_runs(api: Api, sql: str) -> None:
    big = api.upload("big.csv", _big_csv(100_000))
    execution_id = api.start(
        "query_data",
        {"file_ids": [big["file_id"]], "question": sql, "query": {"shape": "sql", "sql": sql}},
    )
    view = api.wait_execution(execution_id)
    assert (view["status"], view["attempts"]) == ("failed", 1)
    assert view["error"]["type"] == "query_refused"
    assert view["error"]["retryable"] is False
    assert not Path("/tmp/stolen.csv").exists()


def _big_csv(rows: int) -> bytes:
    out = io.StringIO()
    pd.DataFrame({"id": range(rows), "group": [i % 7 for i in range(rows)]}).to_csv(
        out, index=False
    )
    return out.getvalue().encode()
