"""Insights realm: profiles, findings and comparisons of tabular files.

pandas does the numeric work: its CSV reader and vectorised column statistics profile a
1,000,000-row file in a few seconds here (see bench/realms).
"""

from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from activities.realms.content import MAX_COLUMNS, infer_type
from activities.realms.context import RealmContext
from activities.realms.tables import Table, read_table
from activities.registry import IntentSpec
from models.intents import Realm

TOP_VALUES = 5
STRONG_CORRELATION = 0.7
SKEWED = 1.0
MISSING_HOT_SPOT = 0.2
CONSISTENCY_SAMPLE = 10_000
OUTLIER_RULE = "outside [Q1 - 1.5*IQR, Q3 + 1.5*IQR]"
WEIGHTS = {"completeness": 0.4, "uniqueness": 0.2, "consistency": 0.2, "validity": 0.2}


class ProfileDataParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)


class GenerateInsightsParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)
    date_column: str | None = None


class CompareDataQualityParams(BaseModel):
    file_ids: list[str] = Field(min_length=2)


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


def profile_table(table: Table) -> FileProfile:
    """Every column's statistics and the file's quality score, with the rules behind it."""
    frame = table.frame
    columns = [_profile_column(frame[c]) for c in frame.columns[:MAX_COLUMNS]]
    rows = len(frame)
    duplicates = int(frame.duplicated().sum()) if rows else 0
    rules = _rules(frame, columns, duplicates)
    return FileProfile(
        file_id=table.ref.file_id,
        name=table.ref.name,
        rows=rows,
        columns=len(frame.columns),
        duplicate_rows=duplicates,
        quality_score=round(sum(WEIGHTS[r.name] * r.score for r in rules), 1),
        rules=rules,
        column_profiles=columns,
        columns_truncated=len(frame.columns) > MAX_COLUMNS,
    )


def _profile_column(series: pd.Series) -> ColumnProfile:
    kind = infer_type(series)
    rows = len(series)
    values = series.dropna()
    profile = ColumnProfile(
        name=str(series.name),
        type=kind,
        null_rate=round(1 - len(values) / rows, 4) if rows else 0.0,
        distinct=int(values.nunique()),
    )
    if kind in ("integer", "number") and not values.empty:
        numbers = values.astype(float)
        q1, q2, q3 = (float(q) for q in numbers.quantile([0.25, 0.5, 0.75]))
        iqr = q3 - q1
        outside = (numbers < q1 - 1.5 * iqr) | (numbers > q3 + 1.5 * iqr)
        std = float(numbers.std()) if len(numbers) > 1 else 0.0
        profile = profile.model_copy(
            update={
                "min": float(numbers.min()),
                "max": float(numbers.max()),
                "mean": round(float(numbers.mean()), 6),
                "std": round(std, 6),
                "p25": q1,
                "p50": q2,
                "p75": q3,
                "outliers": int(outside.sum()),
            }
        )
    elif not values.empty:
        top = values.astype(str).value_counts().head(TOP_VALUES)
        profile.top_values = [(str(k)[:80], int(v)) for k, v in top.items()]
    return profile


def _rules(frame: pd.DataFrame, columns: list[ColumnProfile], duplicates: int) -> list[Rule]:
    rows = len(frame)
    cells = rows * max(1, len(frame.columns))
    nulls = int(frame.isna().sum().sum())
    completeness = 100 * (1 - nulls / cells) if cells else 100.0
    uniqueness = 100 * (1 - duplicates / rows) if rows else 100.0
    mixed = [c.name for c in columns if c.type == "text" and _mostly_numeric(frame[c.name])]
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


def _mostly_numeric(series: pd.Series) -> bool:
    """A text column whose values are mostly numbers has a few bad entries (sampled)."""
    values = series.dropna().head(CONSISTENCY_SAMPLE).astype(str)
    if values.empty:
        return False
    parsed = pd.to_numeric(values, errors="coerce").notna().mean()
    return bool(0.5 <= parsed < 1.0)


def profile_data(ctx: RealmContext, params: ProfileDataParams) -> Profiles:
    """Profile each file, reporting progress between files."""
    profiles = []
    for index, file_id in enumerate(params.file_ids):
        ctx.progress(
            f"profiling file {index + 1} of {len(params.file_ids)}", _pct(index, params.file_ids)
        )
        profiles.append(profile_table(read_table(ctx, file_id)))
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
        table = read_table(ctx, file_id)
        files.append(
            FileInsights(
                file_id=file_id,
                name=table.ref.name,
                findings=findings_of(table, params.date_column),
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
        profiles.append(profile_table(read_table(ctx, file_id)))
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
