"""Profiles of tabular files: every column's statistics and a weighted quality score.

Computed with polars on the table `tables.read_polars` gives, with the same numbers
pandas gave (quartiles from numpy, as pandas takes them): polars parses and profiles a
1,000,000-row CSV here in a fraction of the time pandas takes (bench/realms; figures in
the README).
"""

import math
import re
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from pydantic import BaseModel, Field

from activities.realms.content import MAX_COLUMNS, MAX_WARNINGS, infer_type
from activities.realms.reading.options import ReadWarning, UsedReadOptions
from activities.realms.tables import PolarsTable

TOP_VALUES = 5
CONSISTENCY_SAMPLE = 10_000
DATE_SAMPLE = 50
DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")  # content.infer_type's first test for dates
QUARTILES = (0.25, 0.5, 0.75)
NUMERIC = ("integer", "number")
IQR_FENCE = 1.5
"""A value further than this many IQRs below Q1 or above Q3 is an outlier (Tukey's fences)."""
OUTLIER_RULE = f"outside [Q1 - {IQR_FENCE}*IQR, Q3 + {IQR_FENCE}*IQR]"
WEIGHTS = {"completeness": 0.4, "uniqueness": 0.2, "consistency": 0.2, "validity": 0.2}
"""Each rule's share of the 0-100 quality score."""


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
    spread = IQR_FENCE * (q3 - q1)
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
