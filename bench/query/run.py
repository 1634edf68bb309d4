"""Ask-your-data benchmark: labelled questions over five real datasets, answers checked by pandas.

`.venv/bin/python -m bench.query.run` (add `--rows N` to change the latency file's size).

Datasets ship in PyPI packages and are read from the installed package: palmerpenguins'
penguins.csv, vega_datasets' seattle-weather.csv and cars.json, scikit-learn's iris CSV
(through `load_iris`) and statsmodels' Grunfeld investment data. Each question's expected
numbers are computed here, independently, with pandas; a reply matches when every
expected number appears in its sentence (to the rounding the reply uses). No question
here is among the liaison's routing examples (checked). Latency: query_data on a
1,000,000-row CSV, against plain pandas reading the same file and answering the same
question, in the same run.
"""

import argparse
import asyncio
import io
import re
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import palmerpenguins
import pandas as pd
import statsmodels.api as sm
from sklearn.datasets import load_iris
from temporalio.exceptions import ApplicationError
from vega_datasets import local_data

from activities.agents.liaisons import default_liaisons
from activities.catalog.query import QueryDataParams
from activities.realms import query
from activities.realms.context import RealmContext
from activities.realms.query import QueryLimits, query_data
from storage.files import LocalFileStore

Expect = Callable[[pd.DataFrame], list[float]]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Case:
    dataset: str
    question: str
    expect: Expect


def datasets() -> dict[str, tuple[str, bytes, pd.DataFrame]]:
    """name -> (file name, bytes as uploaded, the frame pandas reads from them)."""
    penguins = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
    weather = Path(local_data.seattle_weather.filepath)
    cars = Path(local_data.cars.filepath)
    iris = load_iris(as_frame=True)
    iris_frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "_cm").replace(" ", "_"))
    iris_frame["species"] = [iris.target_names[t] for t in iris.target]
    iris_frame = iris_frame.drop(columns="target")
    grunfeld = sm.datasets.grunfeld.load_pandas().data
    grunfeld["year"] = grunfeld["year"].astype(int)
    weather_frame = pd.read_csv(weather)
    weather_frame["date"] = pd.to_datetime(weather_frame["date"])
    return {
        "penguins": ("penguins.csv", penguins.read_bytes(), pd.read_csv(penguins)),
        "weather": ("seattle-weather.csv", weather.read_bytes(), weather_frame),
        "cars": ("cars.json", cars.read_bytes(), pd.read_json(cars)),
        "iris": ("iris.csv", _csv(iris_frame), iris_frame),
        "grunfeld": ("grunfeld.csv", _csv(grunfeld), grunfeld),
    }


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def _agg(column: str, how: str) -> Expect:
    return lambda f: [float(getattr(f[column], how)())]


def _by(column: str, group: str, how: str) -> Expect:
    return lambda f: [float(v) for v in getattr(f.groupby(group)[column], how)().head(12)]


def _count_where(column: str, op: str, value: float) -> Expect:
    return lambda f: [float((f[column] > value).sum() if op == ">" else (f[column] < value).sum())]


def _corr(x: str, y: str) -> Expect:
    return lambda f: [round(float(f[x].corr(f[y])), 3)]


def _distinct(column: str) -> Expect:
    return lambda f: [float(v) for v in f[column].value_counts().head(12)]


def _best(column: str, group: str, how: str, high: bool) -> Expect:
    def expect(f: pd.DataFrame) -> list[float]:
        values = getattr(f.groupby(group)[column], how)()
        return [float(values.max() if high else values.min())]

    return expect


def _hist(column: str) -> Expect:
    def expect(f: pd.DataFrame) -> list[float]:
        counts, edges = np.histogram(f[column].dropna(), bins=10)
        peak = int(np.argmax(counts))
        return [float(edges[0]), float(edges[-1]), float(counts[peak])]

    return expect


def _yearly(column: str, date: str, how: str) -> Expect:
    def expect(f: pd.DataFrame) -> list[float]:
        values = getattr(f.groupby(f[date].dt.year)[column], how)()
        return [
            float(values.iloc[0]),
            float(values.iloc[-1]),
            float(values.max()),
            float(values.min()),
        ]

    return expect


def _filtered(column: str, how: str, where: Callable[[pd.DataFrame], pd.Series]) -> Expect:
    return lambda f: [float(getattr(f[where(f)][column], how)())]


AGG_WORDS = {
    "mean": "average",
    "median": "median",
    "min": "minimum",
    "max": "maximum",
    "sum": "total",
}


def cases() -> list[Case]:
    """The labelled questions: templates over each dataset's columns, phrased as users ask."""
    out: list[Case] = []
    numeric = {
        "penguins": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"],
        "weather": ["precipitation", "temp_max", "temp_min", "wind"],
        "cars": ["Miles_per_Gallon", "Horsepower", "Weight_in_lbs", "Acceleration"],
        "iris": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
        "grunfeld": ["invest", "value", "capital"],
    }
    groups = {
        "penguins": "species",
        "weather": "weather",
        "cars": "Origin",
        "iris": "species",
        "grunfeld": "firm",
    }
    words = {
        "bill_length_mm": "bill length",
        "bill_depth_mm": "bill depth",
        "flipper_length_mm": "flipper length",
        "body_mass_g": "body mass",
        "precipitation": "precipitation",
        "temp_max": "temp max",
        "temp_min": "temp min",
        "wind": "wind",
        "Miles_per_Gallon": "miles per gallon",
        "Horsepower": "horsepower",
        "Weight_in_lbs": "weight in lbs",
        "Acceleration": "acceleration",
        "sepal_length_cm": "sepal length",
        "sepal_width_cm": "sepal width",
        "petal_length_cm": "petal length",
        "petal_width_cm": "petal width",
        "invest": "invest",
        "value": "value",
        "capital": "capital",
        "species": "species",
        "weather": "weather",
        "Origin": "origin",
        "firm": "firm",
    }
    for name, columns in numeric.items():
        group = groups[name]
        for column in columns:
            phrase = words[column]
            for how in ("mean", "median", "max"):
                out.append(Case(name, f"what is the {AGG_WORDS[how]} {phrase}?", _agg(column, how)))
            out.append(Case(name, f"{AGG_WORDS['min']} {phrase}", _agg(column, "min")))
            out.append(
                Case(
                    name,
                    f"{AGG_WORDS['mean']} {phrase} per {words[group]}",
                    _by(column, group, "mean"),
                )
            )
            out.append(
                Case(name, f"median {phrase} by {words[group]}", _by(column, group, "median"))
            )
            out.append(
                Case(
                    name,
                    f"which {words[group]} has the highest average {phrase}?",
                    _best(column, group, "mean", True),
                )
            )
            out.append(Case(name, f"distribution of {phrase}", _hist(column)))
        first, second = columns[0], columns[1]
        out.append(
            Case(
                name,
                f"is there a correlation between {words[first]} and {words[second]}?",
                _corr(first, second),
            )
        )
        out.append(
            Case(
                name,
                f"how are {words[columns[-1]]} and {words[columns[-2]]} related",
                _corr(columns[-1], columns[-2]),
            )
        )
        out.append(Case(name, f"how many rows per {words[group]}", _distinct(group)))
        out.append(Case(name, f"unique values of {words[group]}", _distinct(group)))
    out += [
        Case(
            "penguins",
            "how many penguins have a body mass above 4500?",
            _count_where("body_mass_g", ">", 4500),
        ),
        Case(
            "penguins",
            "number of penguins with flipper length below 190",
            _count_where("flipper_length_mm", "<", 190),
        ),
        Case(
            "penguins",
            "average body mass of Gentoo penguins",
            _filtered("body_mass_g", "mean", lambda f: f["species"] == "Gentoo"),
        ),
        Case(
            "penguins",
            "mean bill length of penguins on Dream island",
            _filtered("bill_length_mm", "mean", lambda f: f["island"] == "Dream"),
        ),
        Case(
            "penguins",
            "how many penguins were observed in 2009",
            lambda f: [float((f["year"] == 2009).sum())],
        ),
        Case(
            "weather",
            "total precipitation in 2013",
            _filtered("precipitation", "sum", lambda f: f["date"].dt.year == 2013),
        ),
        Case(
            "weather",
            "average wind on weekends",
            _filtered("wind", "mean", lambda f: f["date"].dt.day_of_week >= 5),
        ),
        Case(
            "weather",
            "how many days had precipitation above 20",
            _count_where("precipitation", ">", 20),
        ),
        Case("weather", "mean temp max per year", _yearly("temp_max", "date", "mean")),
        Case("weather", "total precipitation by year", _yearly("precipitation", "date", "sum")),
        Case(
            "weather",
            "how many snow days were there",
            lambda f: [float((f["weather"] == "snow").sum())],
        ),
        Case(
            "weather",
            "maximum wind in 2014",
            _filtered("wind", "max", lambda f: f["date"].dt.year == 2014),
        ),
        Case(
            "cars", "how many cars have horsepower above 150", _count_where("Horsepower", ">", 150)
        ),
        Case(
            "cars",
            "average miles per gallon of cars from Japan",
            _filtered("Miles_per_Gallon", "mean", lambda f: f["Origin"] == "Japan"),
        ),
        Case("cars", "how many cars have more than 6 cylinders", _count_where("Cylinders", ">", 6)),
        Case("cars", "average horsepower per cylinders", _by("Horsepower", "Cylinders", "mean")),
        Case(
            "iris",
            "how many flowers have a petal length above 5",
            _count_where("petal_length_cm", ">", 5),
        ),
        Case(
            "iris",
            "average sepal width of setosa",
            _filtered("sepal_width_cm", "mean", lambda f: f["species"] == "setosa"),
        ),
        Case(
            "grunfeld",
            "total invest by year",
            lambda f: [float(v) for v in f.groupby("year")["invest"].sum().head(12)],
        ),
        Case(
            "grunfeld",
            "average capital of General Motors",
            _filtered("capital", "mean", lambda f: f["firm"] == "General Motors"),
        ),
        Case("grunfeld", "how many rows have value above 1000", _count_where("value", ">", 1000)),
        Case(
            "grunfeld",
            "maximum invest in 1950",
            _filtered("invest", "max", lambda f: f["year"] == 1950),
        ),
    ]
    return out


def numbers_in(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


def matches(expected: list[float], text: str) -> bool:
    """Every expected number appears, to the rounding a reply uses (2 decimals, 3 for r)."""
    found = numbers_in(text)
    return all(
        any(abs(x - y) <= max(0.006, 2e-3 * abs(x)) for y in found) for x in expected if x == x
    )


class Store:
    """A file store in a temp dir and a realm context for one user."""

    def __init__(self, root: Path) -> None:
        self.store = LocalFileStore(root, max_bytes=2 * 1024**3)
        self.ctx = RealmContext(user_id="bench", execution_id="bench", store=self.store)

    def add(self, name: str, data: bytes) -> str:
        async def chunks() -> AsyncIterator[bytes]:
            yield data

        return asyncio.run(self.store.save("bench", name, "", chunks())).file_id


def accuracy(store: Store) -> None:
    data = datasets()
    ids = {name: store.add(file_name, raw) for name, (file_name, raw, _) in data.items()}
    examples = {e.lower() for texts in default_liaisons().examples().values() for e in texts}
    labelled = cases()
    overlap = [c.question for c in labelled if c.question.lower() in examples]
    assert not overlap, f"benchmark questions among the examples: {overlap}"
    right, wrong, asked = 0, [], 0
    per: dict[str, list[int]] = {}
    for case in labelled:
        params = QueryDataParams(file_ids=[ids[case.dataset]], question=case.question)
        try:
            answer = query_data(QueryLimits(), store.ctx, params).answer
        except ApplicationError as err:
            answer = f"[{err.type}] {err.message}"
            asked += err.type == "unclear_question"
        ok = matches(case.expect(data[case.dataset][2]), answer)
        right += ok
        per.setdefault(case.dataset, [0, 0])
        per[case.dataset][0] += ok
        per[case.dataset][1] += 1
        if not ok:
            wrong.append(f"  {case.dataset}: {case.question!r} -> {answer[:160]}")
    print(
        f"questions: {len(labelled)} over {len(data)} datasets, none among the liaison's examples"
    )
    print(
        f"offline numbers match: {right}/{len(labelled)} = {100 * right / len(labelled):.1f} %"
        f" (clarifying replies among the misses: {asked})"
    )
    for name, (hits, total) in per.items():
        print(f"  {name:10s} {hits}/{total}")
    print("misses:")
    print("\n".join(wrong) or "  none")


LATENCY_QUESTIONS = [
    "average amount by region",
    "median amount",
    "how many rows have amount above 500",
    "correlation between amount and units",
    "total amount by month",
]


def latency(store: Store, rows: int, rounds: int) -> None:
    """Cold: the file read for the question (a fresh cache); warm: already in the worker.

    Baselines in the same run: plain pandas reading the CSV and answering (cold), and
    answering on the frame it already read (warm).
    """
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "amount": rng.gamma(2.0, 150.0, rows).round(2),
            "units": rng.integers(1, 20, rows),
            "date": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1460, rows), unit="D"),
        }
    )
    raw = _csv(frame)
    file_id = store.add("orders.csv", raw)
    path = Path(tempfile.mkdtemp()) / "orders.csv"
    path.write_bytes(raw)
    read = pd.read_csv(path, parse_dates=["date"])
    cold, cold_base, warm, warm_base = [], [], [], []
    for index in range(rounds):
        which = index % len(LATENCY_QUESTIONS)
        params = QueryDataParams(file_ids=[file_id], question=LATENCY_QUESTIONS[which])
        if index < max(1, rounds // 4):
            query.FRAMES = query.FrameCache()
            cold.append(_timed(partial(query_data, QueryLimits(), store.ctx, params)))
            cold_base.append(_timed(partial(_read_and_answer, path, which)))
        warm.append(_timed(partial(query_data, QueryLimits(), store.ctx, params)))
        warm_base.append(_timed(partial(_pandas_answer, read, which)))
    print(f"latency on {rows:,} rows ({len(raw) / 1e6:.0f} MB CSV):")
    for label, ours, base in (("cold", cold, cold_base), ("warm", warm, warm_base)):
        print(
            f"  {label} ({len(ours)} questions): query_data p50 {_p(ours, 50):.3f} s "
            f"p99 {_p(ours, 99):.3f} s; pandas p50 {_p(base, 50):.3f} s "
            f"p99 {_p(base, 99):.3f} s; ratio p50 {_p(ours, 50) / _p(base, 50):.2f}"
        )


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _read_and_answer(path: Path, which: int) -> object:
    return _pandas_answer(pd.read_csv(path, parse_dates=["date"]), which)


def _pandas_answer(frame: pd.DataFrame, which: int) -> object:
    if which == 0:
        return frame.groupby("region")["amount"].mean()
    if which == 1:
        return frame["amount"].median()
    if which == 2:
        return int((frame["amount"] > 500).sum())
    if which == 3:
        return frame["amount"].corr(frame["units"])
    return frame.groupby(frame["date"].dt.to_period("M"))["amount"].sum()


def _p(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    store = Store(Path(tempfile.mkdtemp()))
    accuracy(store)
    if not args.skip_latency:
        latency(store, args.rows, args.rounds)


if __name__ == "__main__":
    main()
