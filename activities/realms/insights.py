"""Insights realm: profiles, findings and comparisons of tabular files.

Profiles (`profile_data`, `compare_data_quality`) are computed with polars on the table
`tables.read_polars` gives, with the same numbers pandas gave (quartiles from numpy, as
pandas takes them): polars parses and profiles a 1,000,000-row CSV here in a fraction of
the time pandas takes (bench/realms; figures in the README). Findings
(`generate_insights`: correlations, skew, trends) stay on pandas, where each is one call.
"""

import math
import re
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl
from pydantic import BaseModel, Field

from activities.realms.content import MAX_COLUMNS, MAX_WARNINGS, infer_type
from activities.realms.context import RealmContext
from activities.realms.reading.options import ReadOptions, ReadWarning, UsedReadOptions
from activities.realms.tables import PolarsTable, Table, read_polars, read_table
from activities.registry import IntentSpec
from models.intents import Realm

TOP_VALUES = 5
STRONG_CORRELATION = 0.7
SKEWED = 1.0
MISSING_HOT_SPOT = 0.2
CONSISTENCY_SAMPLE = 10_000
DATE_SAMPLE = 50
DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")  # content.infer_type's first test for dates
QUARTILES = (0.25, 0.5, 0.75)
NUMERIC = ("integer", "number")
OUTLIER_RULE = "outside [Q1 - 1.5*IQR, Q3 + 1.5*IQR]"
WEIGHTS = {"completeness": 0.4, "uniqueness": 0.2, "consistency": 0.2, "validity": 0.2}


class ProfileDataParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)
    read_options: ReadOptions | None = None


class GenerateInsightsParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)
    date_column: str | None = None
    read_options: ReadOptions | None = None


class CompareDataQualityParams(BaseModel):
    file_ids: list[str] = Field(min_length=2)
    read_options: ReadOptions | None = None


class ColumnProfile(BaseModel):
    name: str
    type: str
    null_rate: float
    distinct: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    outliers: int | None = None
    top_values: list[tuple[str, int]] = Field(default_factory=list)


class Rule(BaseModel):
    name: str
    score: float
    detail: str


class FileProfile(BaseModel):
    file_id: str
    name: str
    rows: int
    columns: int
    duplicate_rows: int
    quality_score: float
    rules: list[Rule]
    outlier_rule: str = OUTLIER_RULE
    column_profiles: list[ColumnProfile]
    columns_truncated: bool = False
    read_options: UsedReadOptions | None = None
    warnings: list[ReadWarning] = Field(default_factory=list)


class Profiles(BaseModel):
    profiles: list[FileProfile]
    summary: str


class Finding(BaseModel):
    kind: Literal["correlation", "skew", "missing", "duplicates", "trend"]
    sentence: str
    numbers: dict[str, Any]


class FileInsights(BaseModel):
    file_id: str
    name: str
    findings: list[Finding]
    read_options: UsedReadOptions | None = None
    warnings: list[ReadWarning] = Field(default_factory=list)


class Insights(BaseModel):
    files: list[FileInsights]
    summary: str


class Measure(BaseModel):
    name: str
    values: dict[str, float]
    better: Literal["higher", "lower"]
    best: str
    verdict: str


class Comparison(BaseModel):
    files: list[str]
    measures: list[Measure]
    summary: str


def profile_table(table: PolarsTable) -> FileProfile:
    """Every column's statistics and the file's quality score, with the rules behind it."""
    frame = table.frame
    kinds = {name: column_kind(frame[name]) for name in frame.columns[:MAX_COLUMNS]}
    stats = _column_stats(frame, kinds)
    columns = [_column_profile(frame, name, kind, stats) for name, kind in kinds.items()]
    rows = frame.height
    duplicates = _duplicate_rows(frame)
    mixed = [c.name for c in columns if c.type == "text" and _mostly_numeric(c.name, stats)]
    rules = _rules(frame, columns, duplicates, mixed)
    return FileProfile(
        file_id=table.ref.file_id,
        name=table.ref.name,
        rows=rows,
        columns=frame.width,
        duplicate_rows=duplicates,
        quality_score=round(sum(WEIGHTS[r.name] * r.score for r in rules), 1),
        rules=rules,
        column_profiles=columns,
        columns_truncated=frame.width > MAX_COLUMNS,
        read_options=table.read_options,
        warnings=table.warnings[:MAX_WARNINGS],
    )


def _duplicate_rows(frame: pl.DataFrame) -> int:
    """Rows equal to an earlier row, as pandas' `duplicated().sum()` counts them.

    Equal rows hash equally, so when every row's hash differs there are none, and the
    whole rows need no comparing (1,000,000 rows here: ~40 ms instead of ~150 ms). Any
    repeated hash and the rows are compared, so the count stays exact.
    """
    if frame.is_empty() or frame.hash_rows().n_unique() == frame.height:
        return 0
    return frame.height - frame.n_unique()


def column_kind(series: pl.Series) -> str:
    """The type `content.infer_type` names for the same column read by pandas.

    pandas reads an integer column with gaps as floats and a boolean one as objects, so
    those are "number" and "text" here too. Text is tested for dates as infer_type does
    it, on its first 50 values: the same regular expression (in Python, so a column that
    fails it costs no query), then infer_type itself.
    """
    nulls = series.null_count()
    if nulls == series.len():
        return "empty"
    if series.dtype == pl.Boolean:
        return "text" if nulls else "boolean"
    if series.dtype.is_integer():
        return "number" if nulls else "integer"
    if series.dtype.is_numeric():
        return "number"
    if series.dtype.is_temporal():
        return "datetime"
    sample = (series.drop_nulls() if nulls else series).head(DATE_SAMPLE).cast(pl.String)
    values = sample.to_list()
    if not all(DATE_START.match(value) for value in values):
        return "text"
    return infer_type(pd.Series(values, dtype="str"))


def _column_stats(frame: pl.DataFrame, kinds: dict[str, str]) -> dict[str, Any]:
    """All columns' statistics in one `select`, keyed "column:statistic".

    One query lets polars compute the columns in parallel, and on small files it saves
    the fixed cost of a query (~0.5 ms) per statistic. Quartiles come first, from
    numpy, as the outlier counts need them.
    """
    quartiles = {n: _quartiles(frame[n]) for n, k in kinds.items() if k in NUMERIC}
    exprs = [
        _numeric_stats(n, quartiles[n]) if k in NUMERIC else _value_stats(n)
        for n, k in kinds.items()
    ]
    exprs += [
        [_number_share(name)]
        for name, kind in kinds.items()
        if kind == "text" and frame.schema[name] == pl.String
    ]
    stats = frame.select(e for group in exprs for e in group).row(0, named=True) if exprs else {}
    return stats | {f"{name}:quartiles": q for name, q in quartiles.items()}


def _quartiles(series: pl.Series) -> list[float]:
    """Q1, median and Q3 as pandas' `quantile` gives them: it is numpy's linear percentile.

    The same numpy call on the same values gives the same numbers to the last bit (polars'
    own interpolation can differ in the last digit, and gives NaN next to an infinity).
    """
    values = (series.drop_nulls() if series.null_count() else series).cast(pl.Float64)
    with np.errstate(invalid="ignore"):  # inf - inf while interpolating: NaN, as in pandas
        found = np.percentile(values.to_numpy(), [100 * q for q in QUARTILES])
    return [float(q) for q in found]


def _numeric_stats(name: str, quartiles: list[float]) -> list[pl.Expr]:
    """min/max/mean/std, distinct values, and outliers: outside [Q1 - 1.5*IQR, Q3 + 1.5*IQR]."""
    numbers = pl.col(name).cast(pl.Float64)
    return [
        numbers.min().alias(f"{name}:min"),
        numbers.max().alias(f"{name}:max"),
        numbers.mean().alias(f"{name}:mean"),
        numbers.std().alias(f"{name}:std"),
        numbers.drop_nulls().n_unique().alias(f"{name}:distinct"),
        _outside(numbers, quartiles).sum().alias(f"{name}:outliers"),
    ]


def _outside(numbers: pl.Expr, quartiles: list[float]) -> pl.Expr:
    """Whether a value lies outside the IQR fences.

    A fence is NaN when the quartiles are infinite; nothing lies outside it then, as
    in pandas (polars orders NaN above every number, so it is left out instead).
    """
    q1, _, q3 = quartiles
    spread = 1.5 * (q3 - q1)
    low, high = q1 - spread, q3 + spread
    below = numbers < low if not math.isnan(low) else pl.lit(False)
    above = numbers > high if not math.isnan(high) else pl.lit(False)
    return below | above


def _value_stats(name: str) -> list[pl.Expr]:
    """Distinct values and the most common ones, with their counts.

    Ties keep the order of first appearance, as in pandas' `value_counts`, so the same
    values are listed.
    """
    values = pl.col(name).drop_nulls()
    counted = pl.struct(
        values.unique(maintain_order=True).alias("value"), values.unique_counts().alias("count")
    )
    top = counted.sort_by(counted.struct.field("count"), descending=True, maintain_order=True)
    return [
        counted.len().alias(f"{name}:distinct"),
        top.head(TOP_VALUES).implode().alias(f"{name}:top"),
    ]


def _number_share(name: str) -> pl.Expr:
    """The share of a text column's first values that read as numbers.

    A value reads as one where `pd.to_numeric` would read it: spaces around it are
    allowed and "nan" is not a number.
    """
    sample = pl.col(name).drop_nulls().head(CONSISTENCY_SAMPLE)
    numbers = sample.str.strip_chars().cast(pl.Float64, strict=False)
    return (numbers.is_not_nan().sum() / sample.len()).alias(f"{name}:parsed")


def _as_text(value: Any) -> str:
    """A value as pandas' `astype(str)` spells it (booleans are True/False), clipped."""
    return str(value)[:80]


def _column_profile(
    frame: pl.DataFrame, name: str, kind: str, stats: dict[str, Any]
) -> ColumnProfile:
    """One column's profile from the statistics `_column_stats` computed."""
    rows = frame.height
    present = rows - frame[name].null_count()
    fields = (
        _numeric_fields(name, present, stats)
        if kind in NUMERIC
        else {"top_values": [(_as_text(t["value"]), t["count"]) for t in stats[f"{name}:top"]]}
    )
    return ColumnProfile(
        name=name,
        type=kind,
        null_rate=round(1 - present / rows, 4) if rows else 0.0,
        distinct=stats[f"{name}:distinct"],
        **fields,
    )


def _numeric_fields(name: str, present: int, stats: dict[str, Any]) -> dict[str, Any]:
    """A numeric column's spread, rounded as before; one value has no spread (std 0)."""
    p25, p50, p75 = stats[f"{name}:quartiles"]
    return {
        "min": stats[f"{name}:min"],
        "max": stats[f"{name}:max"],
        "mean": round(stats[f"{name}:mean"], 6),
        "std": round(stats[f"{name}:std"], 6) if present > 1 else 0.0,
        "p25": p25,
        "p50": p50,
        "p75": p75,
        "outliers": stats[f"{name}:outliers"],
    }


def _mostly_numeric(name: str, stats: dict[str, Any]) -> bool:
    """A text column whose values are mostly numbers has a few bad entries (sampled).

    Booleans with gaps are "text" too, but never numbers (no share was computed).
    """
    parsed = stats.get(f"{name}:parsed")
    return parsed is not None and 0.5 <= parsed < 1.0


def _rules(
    frame: pl.DataFrame, columns: list[ColumnProfile], duplicates: int, mixed: list[str]
) -> list[Rule]:
    """The four weighted rules behind the quality score, each with what it counted."""
    rows = frame.height
    cells = rows * max(1, frame.width)
    nulls = sum(column.null_count() for column in frame.iter_columns())
    completeness = 100 * (1 - nulls / cells) if cells else 100.0
    uniqueness = 100 * (1 - duplicates / rows) if rows else 100.0
    consistency = 100 * (1 - len(mixed) / len(columns)) if columns else 100.0
    numeric = [c for c in columns if c.outliers is not None]
    outliers = sum(c.outliers or 0 for c in numeric)
    checked = sum(rows - round(c.null_rate * rows) for c in numeric)
    validity = 100 * (1 - outliers / checked) if checked else 100.0
    return [
        Rule(
            name="completeness",
            score=round(completeness, 1),
            detail=f"{nulls} of {cells} cells empty",
        ),
        Rule(name="uniqueness", score=round(uniqueness, 1), detail=f"{duplicates} duplicate rows"),
        Rule(
            name="consistency",
            score=round(consistency, 1),
            detail=f"columns mixing numbers and text: {', '.join(mixed) or 'none'}",
        ),
        Rule(
            name="validity",
            score=round(validity, 1),
            detail=f"{outliers} of {checked} numeric values are outliers ({OUTLIER_RULE})",
        ),
    ]


def profile_data(ctx: RealmContext, params: ProfileDataParams) -> Profiles:
    """Profile each file, reporting progress between files."""
    profiles = []
    for index, file_id in enumerate(params.file_ids):
        ctx.progress(
            f"profiling file {index + 1} of {len(params.file_ids)}", _pct(index, params.file_ids)
        )
        profiles.append(profile_table(read_polars(ctx, file_id, params.read_options)))
    worst = min(profiles, key=lambda p: p.quality_score)
    text = "; ".join(f"{p.name}: {p.rows} rows, quality {p.quality_score}/100" for p in profiles)
    return Profiles(
        profiles=profiles,
        summary=f"{text}. Weakest rule for {worst.name}: "
        f"{min(worst.rules, key=lambda r: r.score).name}.",
    )


def _pct(index: int, items: list[str]) -> float:
    return round(100 * index / len(items), 1)


def findings_of(table: Table, date_column: str | None) -> list[Finding]:
    """The findings a person wants first, each a sentence with its numbers."""
    frame = table.frame
    numeric = frame.select_dtypes(include="number").iloc[:, :MAX_COLUMNS]
    found = [*_correlations(numeric), *_skews(numeric), *_missing(frame), *_duplicates(frame)]
    found.extend(_trends(frame, numeric, date_column))
    return found


def _correlations(numeric: pd.DataFrame) -> list[Finding]:
    if numeric.shape[1] < 2:
        return []
    matrix = numeric.corr()
    found = []
    names = list(matrix.columns)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            r = matrix.loc[a, b]
            if pd.notna(r) and abs(r) >= STRONG_CORRELATION:
                direction = "rises" if r > 0 else "falls"
                found.append(
                    Finding(
                        kind="correlation",
                        sentence=f"{b} {direction} with {a} (r = {r:.2f}).",
                        numbers={"a": a, "b": b, "r": round(float(r), 4)},
                    )
                )
    return found


def _skews(numeric: pd.DataFrame) -> list[Finding]:
    found = []
    for name in numeric.columns:
        skew = numeric[name].skew()
        if pd.notna(skew) and abs(skew) > SKEWED:
            side = "right" if skew > 0 else "left"
            mean, median = numeric[name].mean(), numeric[name].median()
            found.append(
                Finding(
                    kind="skew",
                    sentence=f"{name} is skewed to the {side} (skewness {skew:.2f}; "
                    f"mean {mean:.2f} vs median {median:.2f}).",
                    numbers={
                        "column": name,
                        "skewness": round(float(skew), 4),
                        "mean": float(mean),
                        "median": float(median),
                    },
                )
            )
    return found


def _missing(frame: pd.DataFrame) -> list[Finding]:
    counts = frame.isna().sum()
    rows = max(1, len(frame))
    return [
        Finding(
            kind="missing",
            sentence=f"{name} is missing in {count / rows:.0%} of rows ({count} of {len(frame)}).",
            numbers={"column": name, "missing": int(count), "missing_rate": round(count / rows, 4)},
        )
        for name, count in counts.items()
        if count / rows >= MISSING_HOT_SPOT
    ]


def _duplicates(frame: pd.DataFrame) -> list[Finding]:
    count = int(frame.duplicated().sum())
    if not count:
        return []
    return [
        Finding(
            kind="duplicates",
            sentence=f"{count} rows ({count / len(frame):.1%}) are exact duplicates.",
            numbers={"duplicate_rows": count, "rate": round(count / len(frame), 4)},
        )
    ]


def _trends(frame: pd.DataFrame, numeric: pd.DataFrame, date_column: str | None) -> list[Finding]:
    column = date_column or _date_column(frame)
    if column is None or column not in frame.columns or numeric.empty:
        return []
    dates = pd.to_datetime(frame[column], errors="coerce")
    found = []
    for name in numeric.columns:
        paired = pd.DataFrame({"d": dates, "v": numeric[name]}).dropna()
        if len(paired) < 3 or paired["d"].nunique() < 2:
            continue
        days = (paired["d"] - paired["d"].min()).dt.total_seconds() / 86400
        slope, _ = np.polyfit(days, paired["v"], 1)
        per_month = float(slope) * 30.44
        if per_month == 0:
            continue
        direction = "rises" if per_month > 0 else "falls"
        found.append(
            Finding(
                kind="trend",
                sentence=f"{name} {direction} by {abs(per_month):.2f} per month over {column} "
                f"({paired['d'].min().date()} to {paired['d'].max().date()}).",
                numbers={
                    "column": name,
                    "date_column": column,
                    "slope_per_month": round(per_month, 4),
                },
            )
        )
    return found


def _date_column(frame: pd.DataFrame) -> str | None:
    for name in frame.columns:
        if infer_type(frame[name]) == "datetime":
            return str(name)
    return None


def generate_insights(ctx: RealmContext, params: GenerateInsightsParams) -> Insights:
    """Findings per file."""
    files = []
    for index, file_id in enumerate(params.file_ids):
        ctx.progress(
            f"reading file {index + 1} of {len(params.file_ids)}", _pct(index, params.file_ids)
        )
        table = read_table(ctx, file_id, params.read_options)
        files.append(
            FileInsights(
                file_id=file_id,
                name=table.ref.name,
                findings=findings_of(table, params.date_column),
                read_options=table.read_options,
                warnings=table.warnings[:MAX_WARNINGS],
            )
        )
    count = sum(len(f.findings) for f in files)
    lead = next((f.findings[0].sentence for f in files if f.findings), "nothing stands out")
    return Insights(files=files, summary=f"{count} findings. First: {lead}")


MEASURES: list[tuple[str, Literal["higher", "lower"]]] = [
    ("quality_score", "higher"),
    ("completeness", "higher"),
    ("duplicate_rate", "lower"),
    ("consistency", "higher"),
    ("outlier_rate", "lower"),
    ("rows", "higher"),
    ("columns", "higher"),
]


def compare_data_quality(ctx: RealmContext, params: CompareDataQualityParams) -> Comparison:
    """Files side by side on the same measures, with the best file named per measure."""
    profiles = []
    for index, file_id in enumerate(params.file_ids):
        ctx.progress(
            f"profiling file {index + 1} of {len(params.file_ids)}", _pct(index, params.file_ids)
        )
        profiles.append(profile_table(read_polars(ctx, file_id, params.read_options)))
    names = _unique_names(profiles)
    measures = [_measure(name, better, profiles, names) for name, better in MEASURES]
    best = measures[0].best
    return Comparison(
        files=names,
        measures=measures,
        summary=f"{best} has the best overall quality "
        f"({measures[0].values[best]}/100); " + "; ".join(m.verdict for m in measures[1:4]) + ".",
    )


def _unique_names(profiles: list[FileProfile]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for profile in profiles:
        count = seen.get(profile.name, 0)
        seen[profile.name] = count + 1
        names.append(profile.name if count == 0 else f"{profile.name} ({count + 1})")
    return names


def _measure(
    name: str, better: Literal["higher", "lower"], profiles: list[FileProfile], names: list[str]
) -> Measure:
    values = {label: _value(name, p) for label, p in zip(names, profiles, strict=True)}
    pick = max if better == "higher" else min
    best = pick(values, key=lambda k: values[k])
    tied = all(v == values[best] for v in values.values())
    verdict = (
        f"{name.replace('_', ' ')} is the same for all files ({values[best]})"
        if tied
        else f"{best} is best on {name.replace('_', ' ')} ({values[best]})"
    )
    return Measure(name=name, values=values, better=better, best=best, verdict=verdict)


def _value(name: str, profile: FileProfile) -> float:
    rules = {r.name: r.score for r in profile.rules}
    rows = max(1, profile.rows)
    derived = {
        "quality_score": profile.quality_score,
        "completeness": rules["completeness"],
        "consistency": rules["consistency"],
        "duplicate_rate": round(profile.duplicate_rows / rows, 4),
        "outlier_rate": round(sum(c.outliers or 0 for c in profile.column_profiles) / rows, 4),
        "rows": float(profile.rows),
        "columns": float(profile.columns),
    }
    return float(derived[name])


INTENTS = [
    IntentSpec("profile_data", Realm.INSIGHTS, ProfileDataParams, profile_data, "profile files"),
    IntentSpec(
        "generate_insights",
        Realm.INSIGHTS,
        GenerateInsightsParams,
        generate_insights,
        "find what stands out",
    ),
    IntentSpec(
        "compare_data_quality",
        Realm.INSIGHTS,
        CompareDataQualityParams,
        compare_data_quality,
        "compare files' quality",
    ),
]
