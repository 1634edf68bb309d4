"""Findings in a table: what an analyst would say first about it, each with its test.

Every relationship claimed (correlation, trend, predictor, skew) is a test from
`scipy.stats`, and is reported only when it is material and significant after the
Benjamini-Hochberg correction over every test run on the file: a wide file runs
thousands of tests, and at 5 % one in twenty of them passes by chance. Columns that are
not measurements (row indexes, ids, constants, near-duplicates, the class label) are
left out of correlations and trends, and said so. Findings are ranked by strength (the
effect size on a 0-1 scale), then by p-value, and capped: the rest are counted. A file
with a class label is about that label, so its strongest predictors lead.
"""

import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from scipy import stats
from temporalio.exceptions import ApplicationError

from activities.realms.content import MAX_COLUMNS, MAX_WARNINGS
from activities.realms.reading.options import ReadWarning, UsedReadOptions
from activities.realms.tables import Table

ALPHA = 0.05
"""False discovery rate of the Benjamini-Hochberg correction over a file's tests."""
MATERIAL_CORRELATION = 0.5
"""|r| from which a correlation is worth saying (a 'large' effect in Cohen's terms)."""
NEAR_DUPLICATE = 0.98
"""|r| from which a column says nothing its earlier twin does not; it is collapsed."""
NEAR_DUPLICATE_PAIRS = 10
"""Rows two columns must share for that: on two rows every pair correlates at ±1, so a
column with two values would otherwise take every later column with it."""
MATERIAL_TREND = 0.1
"""R² from which a trend explains enough of a series to be worth saying."""
MATERIAL_PREDICTOR = 0.06
"""Share of a target's variance (eta² or r²) from which a column predicts it ('medium')."""
SKEWED = 1.0
MISSING_HOT_SPOT = 0.2
MAX_GROUPS = 12
"""A text column with 2 to this many values can split trends into groups."""
CLASS_LEVELS = 20
"""A numeric target with at most this many values is a class label."""
MIN_TREND_POINTS = 6
MAX_TREND_POINTS = 120
"""More distinct dates than this and a series is averaged per week, month, quarter or year."""
SEQUENCE_MIN_ROWS = 10
PREDICTORS_SHOWN = 5
LEFT_OUT_SHOWN = 50
NAME_CHARS = 80
SKEW_MIN_ROWS = 8
TARGET_NAMES = frozenset(
    ("target", "label", "labels", "class", "species", "y", "outcome", "diagnosis", "survived")
)
INDEX_NAME = re.compile(r"^(?:Unnamed: \d+|index|level_\d+)$")
UNNAMED = re.compile(r"^column_\d+$")
"""The reader's name for a column whose header was empty, as `to_csv` leaves the index's."""
ID_NAME = re.compile(
    r"(?:^|[^A-Za-z0-9])(?:id|Id|ID)$|[a-z0-9](?:Id|ID)$|^(?:id|Id|ID)(?:[^A-Za-z]|$)"
    r"|^(?:uuid|guid|key|rownum|row_number|row_id)$",
)
DATE_NAME = re.compile(r"(?i)(?:^|[^a-z])(?:year|date)")
YEAR_NAME = re.compile(r"^\d{4}$")
"""A column named by a year (1000-2999): one period of a wide table (World Bank: 1960, …)."""
MIN_PERIODS = 2
"""Columns named by years from which they are one measure's periods, not measures."""
DATE_VALUE = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
"""A text column is tested for dates when its first value starts like one (or its name
says it holds them)."""
PERIODS = (("D", "daily"), ("W", "weekly"), ("M", "monthly"), ("Q", "quarterly"), ("Y", "yearly"))
UNITS = (("year", 730, 365.25), ("month", 61, 30.44), ("day", 0, 1.0))
"""Slopes are said per year over spans of two years or more, per month over two months."""

Kind = Literal["correlation", "predictors", "trend", "skew", "missing", "duplicates"]


class Finding(BaseModel):
    """One thing worth saying, with the test behind it in `numbers`.

    `numbers` always has `test`, `statistic`, `p_value` (null for counts, which are not
    tests), `q_value` (Benjamini-Hochberg), `n`, `effect_size` and `effect` (its name).
    """

    kind: Kind
    sentence: str
    numbers: dict[str, Any]


class LeftOut(BaseModel):
    """A column kept out of correlations and trends, and why."""

    column: str
    reason: str


class FileInsights(BaseModel):
    file_id: str
    name: str
    findings: list[Finding]
    more_findings: int = 0
    tests: int = 0
    date_column: str | None = None
    left_out: list[LeftOut] = Field(default_factory=list)
    more_left_out: int = 0
    read_options: UsedReadOptions | None = None
    warnings: list[ReadWarning] = Field(default_factory=list)


@dataclass
class _Candidate:
    """A finding before the correction: kept when its p-value passes the file's cutoff."""

    finding: Finding
    strength: float
    p: float | None


@dataclass
class _Tests:
    """Every test run on a file (their p-values) and the candidates among them."""

    p_values: list[float] = field(default_factory=list)
    candidates: list[_Candidate] = field(default_factory=list)

    def ran(self, p_values: Iterable[float]) -> None:
        self.p_values.extend(p for p in p_values if not math.isnan(p))


@dataclass
class _Roles:
    """What each column is to the analysis."""

    measures: list[str]
    left_out: dict[str, str]
    target: str | None
    groups: list[str]


def findings_of(table: Table, date_column: str | None, limit: int) -> FileInsights:
    """The file's findings, strongest first, at most `limit` of them."""
    frame = table.frame
    dated = _date_column(table, date_column)
    roles = _roles(frame, dated[0] if dated else None)
    periods = _periods(roles)
    tests = _Tests()
    matrix = _collapse_near_duplicates(frame, roles)
    _correlations(matrix, tests)
    if roles.target is not None:
        _predictors(frame, roles.target, roles.measures, tests)
    _skews(frame, roles.measures, tests)
    if dated is not None:
        _trends(frame, dated, roles, tests)
    if periods:
        _period_trend(frame, periods, tests)
    kept = _significant(tests)
    kept += [*_missing(frame), *_duplicates(frame)]
    kept.sort(key=lambda c: (c.finding.kind != "predictors", -c.strength, c.p or 0.0))
    left_out = [LeftOut(column=_label(n), reason=r) for n, r in roles.left_out.items()]
    return FileInsights(
        file_id=table.ref.file_id,
        name=table.ref.name,
        findings=[c.finding for c in kept[:limit]],
        more_findings=max(0, len(kept) - limit),
        tests=len(tests.p_values),
        date_column=dated[0] if dated else None,
        left_out=left_out[:LEFT_OUT_SHOWN],
        more_left_out=max(0, len(left_out) - LEFT_OUT_SHOWN),
        read_options=table.read_options,
        warnings=table.warnings[:MAX_WARNINGS],
    )


def _label(name: str) -> str:
    """A column name as findings show it: clipped, so a pathological header stays small."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _date_column(table: Table, asked: str | None) -> tuple[str, pd.Series] | None:
    """The column trends run over, with its values as dates.

    A column the user names must exist and hold dates, years or yyyymmdd numbers, else
    the request fails non-retryably saying why; without one, the first column of dates
    (or of years or yyyymmdd numbers, by its name) is used.
    """
    frame = table.frame
    if asked is None:
        for name in frame.columns:
            dates = _as_dates(frame[name], by_name=DATE_NAME.search(name) is not None)
            if dates is not None:
                return name, dates
        return None
    if asked not in frame.columns:
        shown = ", ".join(_label(c) for c in frame.columns[:20])
        more = f" and {len(frame.columns) - 20} more" if len(frame.columns) > 20 else ""
        raise _invalid(
            f"date_column {asked!r} is not a column of {table.ref.name}; "
            f"its columns are {shown}{more}"
        )
    dates = _as_dates(frame[asked], by_name=True)
    if dates is None:
        raise _invalid(
            f"date_column {asked!r} of {table.ref.name} does not hold dates, "
            "years (e.g. 2024) or yyyymmdd numbers (e.g. 20240131)"
        )
    return asked, dates


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type="invalid_params", non_retryable=True)


def _as_dates(column: pd.Series, *, by_name: bool) -> pd.Series | None:
    """The column as dates, or None when it does not hold them.

    Whole numbers are dates only in a column named for them (or named by the user):
    years (1000-2999) or yyyymmdd, read as such instead of as nanoseconds.
    """
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_bool_dtype(column):
        return None
    if pd.api.types.is_numeric_dtype(column):
        return _numeric_dates(column) if by_name else None
    first = column.first_valid_index()
    if first is None or not (by_name or DATE_VALUE.match(str(column[first]))):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": per value
        dates = pd.to_datetime(column, errors="coerce")
    present = column.notna().sum()
    return dates if present and dates.notna().sum() >= 0.9 * present else None


def _numeric_dates(column: pd.Series) -> pd.Series | None:
    """Years or yyyymmdd numbers as dates; None for any other numbers."""
    values = column.dropna()
    if values.empty or not (values == values.round()).all():
        return None
    whole = column.astype("Int64").astype("string")
    if values.between(1000, 2999).all():
        return pd.to_datetime(whole, format="%Y", errors="coerce")
    if values.between(10000101, 29991231).all():
        dates = pd.to_datetime(whole, format="%Y%m%d", errors="coerce")
        return dates if dates.notna().sum() == len(values) else None
    return None


def _roles(frame: pd.DataFrame, date: str | None) -> _Roles:
    """Measurements, the class label, grouping columns, and what is left out and why."""
    measures: list[str] = []
    left_out: dict[str, str] = {}
    target = next((c for c in frame.columns if c.lower() in TARGET_NAMES and c != date), None)
    if target is not None:
        left_out[target] = "class label or target: reported as its strongest predictors"
    groups = []
    distinct = frame.nunique()
    for name in frame.columns:
        if name in (date, target):
            continue
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            if 2 <= distinct[name] <= MAX_GROUPS and not ID_NAME.search(name):
                groups.append(name)
            continue
        reason = _not_a_measurement(name, column, int(distinct[name]))
        if reason is None and len(measures) >= MAX_COLUMNS:
            reason = f"beyond the first {MAX_COLUMNS} measurements"
        if reason is None:
            measures.append(name)
        else:
            left_out[name] = reason
    return _Roles(measures=measures, left_out=left_out, target=target, groups=groups)


def _not_a_measurement(name: str, column: pd.Series, distinct: int) -> str | None:
    """Why a numeric column is no measurement (row index, id, constant), or None."""
    if INDEX_NAME.match(name):
        return "row index"
    if ID_NAME.search(name):
        return "identifier"
    if distinct <= 1:
        return "constant" if distinct else "empty"
    if (
        pd.api.types.is_integer_dtype(column)
        and distinct >= SEQUENCE_MIN_ROWS
        and distinct == len(column)
        and column.max() - column.min() + 1 == distinct
    ):
        if UNNAMED.match(name):
            return "row index"
        return "row number or sequence id (consecutive whole numbers)"
    return None


def _periods(roles: _Roles) -> list[str]:
    """A wide table's year columns, taken out of the measures (and listed as left out).

    Columns named 1960, 1961, … hold one measure in successive years: correlating them
    with each other says only that a country's rate this year is close to last year's,
    so they get one trend over the years instead (`_period_trend`).
    """
    years = [n for n in roles.measures if YEAR_NAME.match(n) and 1000 <= int(n) <= 2999]
    if len(years) < MIN_PERIODS:
        return []
    reason = f"one year of a wide table ({min(years)} to {max(years)}): a trend over the years"
    roles.measures = [n for n in roles.measures if n not in years]
    roles.left_out |= dict.fromkeys(years, reason)
    return years


def _period_trend(frame: pd.DataFrame, years: list[str], tests: _Tests) -> None:
    """The trend of a wide table's yearly means, its year columns read as dates."""
    long = frame[years].melt(var_name="year", value_name="value")
    dates = pd.to_datetime(long["year"], format="%Y")
    what = f"the mean of columns {min(years)} to {max(years)}"
    _trend("their years", dates, long["value"], what, None, tests)


@dataclass
class _Matrix:
    """Pearson r between the kept measures, with the rows each pair had in common."""

    names: list[str]
    r: np.ndarray
    n: np.ndarray


def _collapse_near_duplicates(frame: pd.DataFrame, roles: _Roles) -> _Matrix:
    """Correlate the measures; a column nearly equal to an earlier one is left out."""
    names = roles.measures
    values = frame[names].to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    r = frame[names].corr().to_numpy()  # pandas' own loop: no numpy warning, (0, 0) if none
    n = present.T.astype(float) @ present.astype(float)
    kept: list[int] = []
    for j, name in enumerate(names):
        twin = next(
            (i for i in kept if abs(r[i, j]) >= NEAR_DUPLICATE and n[i, j] >= NEAR_DUPLICATE_PAIRS),
            None,
        )
        if twin is None:
            kept.append(j)
        else:
            roles.left_out[name] = f"near-duplicate of {_label(names[twin])} (r = {r[twin, j]:.3f})"
    roles.measures = [names[i] for i in kept]
    return _Matrix(names=roles.measures, r=r[np.ix_(kept, kept)], n=n[np.ix_(kept, kept)])


def _pearson_p(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-values of Pearson's r with n pairs, as `scipy.stats.pearsonr` gives them."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = r * np.sqrt((n - 2) / (1 - r**2))
        p = 2 * stats.t.sf(np.abs(t), n - 2)
    p = np.where(np.abs(r) >= 1, 0.0, p)
    return np.where(n > 2, p, np.nan)


def _correlations(matrix: _Matrix, tests: _Tests) -> None:
    upper = np.triu_indices(len(matrix.names), k=1)
    r, n = matrix.r[upper], matrix.n[upper]
    p = _pearson_p(r, n)
    tests.ran(p)
    for index in np.flatnonzero(np.abs(np.nan_to_num(r)) >= MATERIAL_CORRELATION):
        a, b = matrix.names[upper[0][index]], matrix.names[upper[1][index]]
        value, pairs, p_value = float(r[index]), int(n[index]), float(p[index])
        if math.isnan(p_value):
            continue
        direction = "rises" if value > 0 else "falls"
        tests.candidates.append(
            _Candidate(
                Finding(
                    kind="correlation",
                    sentence=f"{_label(b)} {direction} with {_label(a)} (r = {value:.2f}, "
                    f"{_p(p_value)}, n = {pairs}).",
                    numbers=_test_numbers("Pearson correlation", value, p_value, pairs, value, "r")
                    | {"a": _label(a), "b": _label(b), "r": round(value, 4)},
                ),
                strength=abs(value),
                p=p_value,
            )
        )


def _test_numbers(
    test: str, statistic: float, p: float | None, n: int, effect: float, effect_name: str
) -> dict[str, Any]:
    """The fields every finding's `numbers` has (q_value is set after the correction)."""
    return {
        "test": test,
        "statistic": _finite(statistic),
        "p_value": None if p is None else float(f"{p:.4g}"),
        "q_value": None,
        "n": n,
        "effect_size": _finite(effect),
        "effect": effect_name,
    }


def _finite(value: float) -> float | None:
    """Rounded to 4 significant digits; infinities (a perfect fit's t) have no JSON."""
    return float(f"{value:.4g}") if math.isfinite(value) else None


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _num(value: float) -> str:
    """A number as a person writes it: thousands separated, 3 significant digits below 1."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _predictors(frame: pd.DataFrame, target: str, measures: list[str], tests: _Tests) -> None:
    """How much of the target each measure explains: eta² of a one-way ANOVA for a class
    label, r² of Pearson's r for a numeric target."""
    labels = frame[target]
    classes = not pd.api.types.is_numeric_dtype(labels) or labels.nunique() <= CLASS_LEVELS
    found = []
    for name in measures:
        paired = pd.DataFrame({"y": labels, "x": frame[name]}).dropna()
        tested = _anova(paired) if classes else _pearson(paired)
        if tested is None:
            continue
        statistic, p, effect = tested
        tests.ran([p])
        if effect >= MATERIAL_PREDICTOR and not math.isnan(p):
            found.append(
                {
                    "column": _label(name),
                    "statistic": statistic,
                    "p_value": p,
                    "effect_size": effect,
                    "n": len(paired),
                }
            )
    if found:
        tests.candidates.append(_predictor_candidate(target, found, classes))


def _anova(paired: pd.DataFrame) -> tuple[float, float, float] | None:
    """F, p and eta² of the measure across the target's classes."""
    groups = [g.to_numpy() for _, g in paired.groupby("y")["x"] if len(g) >= 2]
    if len(groups) < 2 or paired["x"].nunique() < 2:
        return None
    result = stats.f_oneway(*groups)
    within = sum(len(g) for g in groups) - len(groups)
    between = len(groups) - 1
    f = float(result.statistic)
    return f, float(result.pvalue), f * between / (f * between + within)


def _pearson(paired: pd.DataFrame) -> tuple[float, float, float] | None:
    """r, p and r² of the measure against a numeric target."""
    if len(paired) < 3 or paired["x"].nunique() < 2 or paired["y"].nunique() < 2:
        return None
    result = stats.pearsonr(paired["x"], paired["y"])
    r = float(result.statistic)
    return r, float(result.pvalue), r * r


def _predictor_candidate(target: str, found: list[dict[str, Any]], classes: bool) -> _Candidate:
    """One finding naming the strongest predictors; kept if its strongest one is significant.

    Each predictor's own test joins the correction; `_significant` drops the ones whose
    p-value does not pass it, so only significant predictors are named.
    """
    found.sort(key=lambda f: (-f["effect_size"], f["p_value"]))
    top = found[0]
    test, effect = ("one-way ANOVA", "eta squared") if classes else ("Pearson correlation", "r²")
    numbers = _test_numbers(
        test, top["statistic"], top["p_value"], top["n"], top["effect_size"], effect
    )
    numbers |= {"target": _label(target), "predictors": found}
    return _Candidate(
        Finding(kind="predictors", sentence="", numbers=numbers),
        strength=math.sqrt(top["effect_size"]),
        p=top["p_value"],
    )


def _predictors_sentence(finding: Finding, cutoff: float) -> Finding | None:
    """The predictors finding with only the significant ones, strongest first, or None."""
    kept = [p for p in finding.numbers["predictors"] if p["p_value"] <= cutoff]
    if not kept:
        return None
    top = kept[0]
    numbers = finding.numbers | _test_numbers(
        finding.numbers["test"],
        top["statistic"],
        top["p_value"],
        top["n"],
        top["effect_size"],
        finding.numbers["effect"],
    )
    symbol = "η²" if numbers["effect"] == "eta squared" else "r²"
    named = ", ".join(
        f"{p['column']} ({symbol} = {p['effect_size']:.2f})" for p in kept[:PREDICTORS_SHOWN]
    )
    shown = [
        {k: _finite(v) if isinstance(v, float) else v for k, v in p.items()}
        for p in kept[:PREDICTORS_SHOWN]
    ]
    return Finding(
        kind="predictors",
        sentence=f"The strongest predictors of {numbers['target']} are {named} "
        f"({numbers['test']}, {_p(numbers['p_value'])} for the strongest).",
        numbers=numbers
        | {"predictors": shown, "more_predictors": max(0, len(kept) - PREDICTORS_SHOWN)},
    )


def _skews(frame: pd.DataFrame, measures: list[str], tests: _Tests) -> None:
    """Columns skewed beyond |1|, by D'Agostino's skewness test."""
    skews = frame[measures].skew()
    for name, (statistic, p) in _skew_tests(frame, measures).items():
        tests.ran([p])
        skew = float(skews[name])
        if math.isnan(skew) or abs(skew) <= SKEWED or math.isnan(p):
            continue
        values = frame[name].dropna()
        side = "right" if skew > 0 else "left"
        mean, median = float(values.mean()), float(values.median())
        tests.candidates.append(
            _Candidate(
                Finding(
                    kind="skew",
                    sentence=f"{_label(name)} is skewed to the {side} (skewness {skew:.2f}, "
                    f"{_p(p)}; mean {_num(mean)} vs median {_num(median)}).",
                    numbers=_test_numbers(
                        "D'Agostino skewness test",
                        statistic,
                        p,
                        len(values),
                        skew,
                        "skewness",
                    )
                    | {"column": _label(name), "mean": _finite(mean), "median": _finite(median)},
                ),
                strength=abs(skew) / (abs(skew) + 2),
                p=p,
            )
        )


def _skew_tests(frame: pd.DataFrame, measures: list[str]) -> dict[str, tuple[float, float]]:
    """`scipy.stats.skewtest` of each measure with enough values: (z, p).

    Columns without gaps are tested in one call (a call costs ~10 ms of overhead, so a
    wide file's 200 columns would spend seconds on it); the others one by one.
    """
    counts = frame[measures].notna().sum()
    full = [n for n in measures if counts[n] == len(frame) and counts[n] >= SKEW_MIN_ROWS]
    found: dict[str, tuple[float, float]] = {}
    if full:
        whole = stats.skewtest(frame[full].to_numpy(dtype=float), axis=0)
        found |= {
            n: (float(z), float(p))
            for n, z, p in zip(full, whole.statistic, whole.pvalue, strict=True)
        }
    for name in measures:
        if name not in found and counts[name] >= SKEW_MIN_ROWS:
            one = stats.skewtest(frame[name].dropna().to_numpy(dtype=float))
            found[name] = (float(one.statistic), float(one.pvalue))
    return found


def _significant(tests: _Tests) -> list[_Candidate]:
    """The candidates whose p-value passes Benjamini-Hochberg over all the file's tests."""
    if not tests.p_values:
        return []
    p_sorted = np.sort(np.asarray(tests.p_values))
    q_sorted = stats.false_discovery_control(p_sorted)
    passing = p_sorted[q_sorted < ALPHA]
    cutoff = float(passing.max()) if passing.size else -1.0
    kept = []
    for candidate in tests.candidates:
        if candidate.p is None or candidate.p > cutoff:
            continue
        finding = candidate.finding
        if finding.kind == "predictors":
            built = _predictors_sentence(finding, cutoff)
            if built is None:
                continue
            finding = built
        rank = int(np.searchsorted(p_sorted, candidate.p, side="right")) - 1
        finding.numbers["q_value"] = float(f"{q_sorted[rank]:.4g}")
        kept.append(_Candidate(finding, candidate.strength, candidate.p))
    return kept


def _missing(frame: pd.DataFrame) -> list[_Candidate]:
    counts = frame.isna().sum()
    rows = max(1, len(frame))
    return [
        _Candidate(
            Finding(
                kind="missing",
                sentence=f"{_label(name)} is missing in {count / rows:.0%} of rows "
                f"({count} of {len(frame)}).",
                numbers=_test_numbers("count", count, None, len(frame), count / rows, "rate")
                | {
                    "column": _label(name),
                    "missing": int(count),
                    "missing_rate": round(count / rows, 4),
                },
            ),
            strength=count / rows,
            p=None,
        )
        for name, count in counts.items()
        if count / rows >= MISSING_HOT_SPOT
    ]


def _duplicates(frame: pd.DataFrame) -> list[_Candidate]:
    count = int(frame.duplicated().sum())
    if not count:
        return []
    rate = count / len(frame)
    return [
        _Candidate(
            Finding(
                kind="duplicates",
                sentence=f"{count} rows ({rate:.1%}) are exact duplicates of earlier rows.",
                numbers=_test_numbers("count", count, None, len(frame), rate, "rate")
                | {"duplicate_rows": count, "rate": round(rate, 4)},
            ),
            strength=rate,
            p=None,
        )
    ]


def _trends(
    frame: pd.DataFrame, dated: tuple[str, pd.Series], roles: _Roles, tests: _Tests
) -> None:
    """A linear trend per measure over the dates: per group when a column splits the
    rows into one series per group (each date once per group), else over the whole."""
    date_name, dates = dated
    split = _split_column(dates, frame, roles.groups)
    for name in roles.measures:
        if split is None:
            _trend(date_name, dates, frame[name], name, None, tests)
            continue
        for level, rows in frame.groupby(split).groups.items():
            _trend(date_name, dates[rows], frame[name][rows], name, (split, str(level)), tests)


def _split_column(dates: pd.Series, frame: pd.DataFrame, groups: list[str]) -> str | None:
    """The grouping column under which each date appears about once, when dates repeat.

    Iowa's electricity has one row per year and source: pooled, three sources' opposite
    trends blur into one that means nothing; per source each is clear.
    """
    present = dates.notna()
    rows, distinct = int(present.sum()), dates[present].nunique()
    if distinct == 0 or rows <= 1.5 * distinct:
        return None
    best: tuple[float, str] | None = None
    for name in groups:
        keys = pd.DataFrame({"d": dates, "g": frame[name]})[present].dropna()
        per_key = rows / max(1, len(keys.drop_duplicates()))
        if per_key <= 1.5 and (best is None or per_key < best[0]):
            best = (per_key, name)
    return best[1] if best else None


def _trend(
    date_name: str,
    dates: pd.Series,
    values: pd.Series,
    name: str,
    group: tuple[str, str] | None,
    tests: _Tests,
) -> None:
    """One series' least-squares trend (`scipy.stats.linregress`), averaged per period
    when its points are dense, kept when significant and R² >= MATERIAL_TREND."""
    series = _series(dates, values)
    if series is None:
        return
    when, level, period = series
    days = (when - when.min()).dt.total_seconds().to_numpy() / 86400
    fit = stats.linregress(days, level.to_numpy(dtype=float))
    p, r2 = float(fit.pvalue), float(fit.rvalue) ** 2
    tests.ran([p])
    if math.isnan(p) or r2 < MATERIAL_TREND or fit.slope == 0:
        return
    span = days.max()
    unit, per = next((u, factor) for u, least, factor in UNITS if span >= least)
    slope = float(fit.slope) * per
    what = _label(name) + (f" for {_label(group[0])} = {_label(group[1])}" if group else "")
    averaged = f"{period} means, " if period else ""
    spanned = dates[values.notna()]  # the raw dates: a period's start is not a date seen
    first, last = spanned.min().date(), spanned.max().date()
    t = float(fit.slope / fit.stderr) if fit.stderr else math.inf
    tests.candidates.append(
        _Candidate(
            Finding(
                kind="trend",
                sentence=f"{what} {'rises' if slope > 0 else 'falls'} by {_num(abs(slope))} per "
                f"{unit} over {_label(date_name)} ({first} to {last}; {averaged}"
                f"R² = {r2:.2f}, {_p(p)}, n = {len(level)}).",
                numbers=_test_numbers("least-squares linear trend", t, p, len(level), r2, "R²")
                | {
                    "column": _label(name),
                    "date_column": _label(date_name),
                    "group": None if group is None else {"column": group[0], "value": group[1]},
                    "slope": _finite(slope),
                    "per": unit,
                    "period": period,
                    "start": str(first),
                    "end": str(last),
                },
            ),
            strength=math.sqrt(r2),
            p=p,
        )
    )


def _series(dates: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series, str | None] | None:
    """The points a trend is fitted to: raw, or means per date or per period when dense.

    Repeated dates are averaged per date; past MAX_TREND_POINTS distinct dates, per the
    shortest period (day, week, month, quarter, year) giving at most that many points:
    a regression on thousands of autocorrelated raw points would call any wiggle
    significant.
    """
    paired = pd.DataFrame({"d": dates, "v": values}).dropna()
    if paired["v"].nunique() < 2:
        return None
    distinct = paired["d"].nunique()
    if distinct < MIN_TREND_POINTS:
        return None
    if distinct <= MAX_TREND_POINTS:
        if distinct == len(paired):
            return paired["d"].reset_index(drop=True), paired["v"].reset_index(drop=True), None
        means = paired.groupby("d")["v"].mean()
        return pd.Series(means.index), means.reset_index(drop=True), "per-date"
    code, label = next(
        (c, lb)
        for c, lb in PERIODS
        if paired["d"].dt.to_period(c).nunique() <= MAX_TREND_POINTS or c == "Y"
    )
    means = paired.groupby(paired["d"].dt.to_period(code))["v"].mean()
    if len(means) < MIN_TREND_POINTS:
        return None
    return pd.Series(means.index.to_timestamp()), means.reset_index(drop=True), label
