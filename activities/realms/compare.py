"""Files compared on data quality only: five rates in [0, 1], and how their schemas differ.

Size is no quality (a file is not better for having more rows), so rows and columns are
shown but never judged. A measure names a better file only when one is; equal rates are
a tie, and the comparison names a file better overall only when it is at least as good
as every other file on every measure and better on one.
"""

from dataclasses import dataclass
from typing import Literal

import polars as pl
from pydantic import BaseModel, Field

from activities.realms.profile import FileProfile, column_kind, profile_table
from activities.realms.reading.options import ReadWarning, UsedReadOptions
from activities.realms.tables import PolarsTable, warnings_sentence

SHOWN = 50
"""Schema differences listed per kind; the rest are counted."""
DIGITS = 4
"""Rates equal to this many decimals are a tie."""

MEASURES: list[tuple[str, Literal["higher", "lower"], str]] = [
    ("completeness", "higher", "share of cells that have a value"),
    ("validity", "higher", "share of values that fit their column's type"),
    ("duplicates", "lower", "share of rows that repeat an earlier row"),
    ("consistency", "higher", "share of text values spelled as their column usually spells them"),
    ("outliers", "lower", "share of numeric values outside the IQR fences"),
]


class Measure(BaseModel):
    name: str
    meaning: str
    values: dict[str, float]
    better: Literal["higher", "lower"]
    best: str | None
    """The one file best on this measure; None when the best value is shared (a tie)."""
    tied: list[str] = Field(default_factory=list)
    verdict: str


class TypeChange(BaseModel):
    column: str
    before: str
    after: str


class SchemaDifference(BaseModel):
    """How one file's columns differ from the first file's."""

    file: str
    added: list[str]
    removed: list[str]
    retyped: list[TypeChange]
    more: int = 0
    """Differences past the SHOWN listed of each kind."""


class Comparison(BaseModel):
    files: list[str]
    rows: dict[str, int]
    columns: dict[str, int]
    quality_scores: dict[str, float]
    measures: list[Measure]
    schema_differences: list[SchemaDifference]
    better: str | None
    summary: str
    read_options: dict[str, UsedReadOptions] = Field(default_factory=dict)
    """How each file was read, by its name in `files`, as every realm result reports it."""
    warnings: dict[str, list[ReadWarning]] = Field(default_factory=dict)
    """What did not fit in each file, by its name (counted against its validity)."""


@dataclass(frozen=True)
class FileQuality:
    """What the comparison needs of one file; the table itself is not kept."""

    profile: FileProfile
    rates: dict[str, float]
    kinds: dict[str, str]


def quality_of(table: PolarsTable) -> FileQuality:
    """One file's profile, quality rates and column types."""
    frame = table.frame
    profile = profile_table(table)
    cells = frame.height * frame.width
    nulls = sum(column.null_count() for column in frame.iter_columns())
    present = cells - nulls
    numeric = [c for c in profile.column_profiles if c.outliers is not None]
    checked = sum(frame.height - frame[c.name].null_count() for c in numeric)
    warned = _warned_misfits(table)
    misfits = _misfits(frame) + warned
    written = present + warned
    rates = {
        "completeness": 1 - nulls / cells if cells else 1.0,
        "validity": 1 - misfits / written if written else 1.0,
        "duplicates": profile.duplicate_rows / frame.height if frame.height else 0.0,
        "consistency": _consistency(frame),
        "outliers": sum(c.outliers or 0 for c in numeric) / checked if checked else 0.0,
    }
    kinds = {name: column_kind(frame[name]) for name in frame.columns}
    return FileQuality(
        profile=profile, rates={k: round(v, DIGITS) for k, v in rates.items()}, kinds=kinds
    )


def _warned_misfits(table: PolarsTable) -> int:
    """Values the reader could not read as their column's type (it left them empty and
    warned): they were written in the file, so they count against validity."""
    return sum(w.count for w in table.warnings if w.kind.startswith("not_"))


def _misfits(frame: pl.DataFrame) -> int:
    """Values that don't fit their column: the text in a column of mostly numbers."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return 0
    counts = frame.select(
        *(pl.col(n).drop_nulls().len().alias(f"{n}:present") for n in texts),
        *(
            pl.col(n)
            .str.strip_chars()
            .cast(pl.Float64, strict=False)
            .is_not_nan()
            .sum()
            .alias(f"{n}:numbers")
            for n in texts
        ),
    ).row(0, named=True)
    misfits = 0
    for name in texts:
        present, numbers = counts[f"{name}:present"], counts[f"{name}:numbers"]
        if present and 0.5 <= numbers / present < 1:
            misfits += present - numbers
    return misfits


def _consistency(frame: pl.DataFrame) -> float:
    """The share of text values written as their column mostly writes them.

    Values equal but for case and surrounding spaces ("North", "north ") are one value
    spelled several ways; every spelling but the most common one counts against it.
    """
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    values = variants = 0
    for name in texts:
        spelled = frame.select(pl.col(name).drop_nulls().alias("raw")).group_by("raw").len()
        keyed = spelled.with_columns(key=pl.col("raw").str.strip_chars().str.to_lowercase())
        per_key = keyed.group_by("key").agg(
            pl.col("len").sum().alias("all"), pl.col("len").max().alias("top")
        )
        values += int(spelled["len"].sum())
        variants += int((per_key["all"] - per_key["top"]).sum())
    return 1 - variants / values if values else 1.0


def compare(qualities: list[FileQuality]) -> Comparison:
    """The files side by side: a verdict per measure, schema differences, and an overall
    verdict only when one file is better."""
    names = _unique_names([q.profile for q in qualities])
    measures = [
        _measure(
            name, better, meaning, {n: q.rates[name] for n, q in zip(names, qualities, strict=True)}
        )
        for name, better, meaning in MEASURES
    ]
    schema = [
        _schema_difference(name, qualities[0].kinds, quality.kinds)
        for name, quality in zip(names[1:], qualities[1:], strict=True)
    ]
    better = _better_overall(names, measures)
    warnings = {n: q.profile.warnings for n, q in zip(names, qualities, strict=True)}
    return Comparison(
        files=names,
        rows={n: q.profile.rows for n, q in zip(names, qualities, strict=True)},
        columns={n: q.profile.columns for n, q in zip(names, qualities, strict=True)},
        quality_scores={n: q.profile.quality_score for n, q in zip(names, qualities, strict=True)},
        measures=measures,
        schema_differences=schema,
        better=better,
        summary=_summary(names, measures, better, schema) + _read_sentence(warnings),
        read_options={
            n: q.profile.read_options
            for n, q in zip(names, qualities, strict=True)
            if q.profile.read_options is not None
        },
        warnings=warnings,
    )


def _read_sentence(warnings: dict[str, list[ReadWarning]]) -> str:
    """Each file's read warnings, named by file, for the agent's reply ("" if none)."""
    return "".join(
        f" {name}:{warnings_sentence(found)}" for name, found in warnings.items() if found
    )


def _unique_names(profiles: list[FileProfile]) -> list[str]:
    """File names, numbered from the second time a name appears."""
    seen: dict[str, int] = {}
    names = []
    for profile in profiles:
        count = seen.get(profile.name, 0)
        seen[profile.name] = count + 1
        names.append(profile.name if count == 0 else f"{profile.name} ({count + 1})")
    return names


def _measure(
    name: str, better: Literal["higher", "lower"], meaning: str, values: dict[str, float]
) -> Measure:
    """One measure across the files: the best file, or the files tied for best."""
    pick = max if better == "higher" else min
    top = pick(values.values())
    leaders = [file for file, value in values.items() if value == top]
    shown = ", ".join(f"{file} {value:.2%}" for file, value in values.items())
    if len(leaders) == len(values):
        verdict = f"{name}: {shown}; a tie."
    elif len(leaders) > 1:
        verdict = f"{name}: {shown}; {' and '.join(leaders)} tie for best."
    else:
        verdict = f"{name}: {shown}; {leaders[0]} is better."
    return Measure(
        name=name,
        meaning=meaning,
        values=values,
        better=better,
        best=leaders[0] if len(leaders) == 1 else None,
        tied=leaders if len(leaders) > 1 else [],
        verdict=verdict,
    )


def _better_overall(names: list[str], measures: list[Measure]) -> str | None:
    """The file at least as good as every other on every measure and better on one."""
    for name in names:
        at_least = all(name == m.best or name in m.tied for m in measures)
        if at_least and any(m.best == name for m in measures):
            return name
    return None


def _schema_difference(name: str, first: dict[str, str], other: dict[str, str]) -> SchemaDifference:
    added = [c for c in other if c not in first]
    removed = [c for c in first if c not in other]
    retyped = [
        TypeChange(column=c, before=first[c], after=kind)
        for c, kind in other.items()
        if c in first and first[c] != kind
    ]
    more = sum(max(0, len(listed) - SHOWN) for listed in (added, removed, retyped))
    return SchemaDifference(
        file=name,
        added=added[:SHOWN],
        removed=removed[:SHOWN],
        retyped=retyped[:SHOWN],
        more=more,
    )


def _summary(
    names: list[str],
    measures: list[Measure],
    better: str | None,
    schema: list[SchemaDifference],
) -> str:
    """The overall verdict, or why there is none, and whether the schemas differ."""
    if better is not None:
        wins = [m.name for m in measures if m.best == better]
        lead = f"{better} is better overall: better on {', '.join(wins)}, no worse on the rest."
    elif all(len(m.tied) == len(names) for m in measures):
        lead = "The files are equally good on every measure."
    else:
        wins = [f"{m.best} on {m.name}" for m in measures if m.best is not None]
        ties = [m.name for m in measures if m.best is None]
        lead = (
            "No file is better on every measure: "
            + "; ".join(wins)
            + (f"; tied on {', '.join(ties)}" if ties else "")
            + "."
        )
    changed = [d.file for d in schema if d.added or d.removed or d.retyped]
    tail = (
        f" Columns differ from {names[0]} in {', '.join(changed)}."
        if changed
        else " Same columns and types."
    )
    return lead + tail
