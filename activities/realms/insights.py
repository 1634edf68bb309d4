"""Insights realm: profiles, findings and comparisons of tabular files.

The intents' params, results and handlers; the work is in `profile` (polars
statistics and the quality score), `findings` (tested, ranked findings, pandas and
scipy) and `compare` (quality rates side by side). Tables are read only here, through
`tables`.
"""

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from activities.catalog.insights import (
    COMPARE_DATA_QUALITY,
    GENERATE_INSIGHTS,
    PROFILE_DATA,
    CompareDataQualityParams,
    GenerateInsightsParams,
    ProfileDataParams,
)
from activities.realms.compare import Comparison, compare, quality_of
from activities.realms.context import RealmContext
from activities.realms.findings import FileInsights, findings_of
from activities.realms.profile import FileProfile, profile_table
from activities.realms.spec import IntentSpec
from activities.realms.tables import read_polars, read_table, warnings_sentence

T = TypeVar("T")


class Profiles(BaseModel):
    profiles: list[FileProfile]
    summary: str


class Insights(BaseModel):
    files: list[FileInsights]
    summary: str


def profile_data(ctx: RealmContext, params: ProfileDataParams) -> Profiles:
    """Profile each file, reporting progress between files."""
    profiles = _per_file(
        ctx, params.file_ids, lambda f: profile_table(read_polars(ctx, f, params.read_options))
    )
    worst = min(profiles, key=lambda p: p.quality_score)
    text = "; ".join(f"{p.name}: {p.rows} rows, quality {p.quality_score}/100" for p in profiles)
    return Profiles(
        profiles=profiles,
        summary=f"{text}. Weakest rule for {worst.name}: "
        f"{min(worst.rules, key=lambda r: r.score).name}."
        + warnings_sentence([w for p in profiles for w in p.warnings]),
    )


def generate_insights(ctx: RealmContext, params: GenerateInsightsParams) -> Insights:
    """Each file's findings, strongest first, at most `ctx.max_findings` per file."""
    files = _per_file(
        ctx,
        params.file_ids,
        lambda f: findings_of(
            read_table(ctx, f, params.read_options), params.date_column, ctx.max_findings
        ),
    )
    shown = sum(len(f.findings) for f in files)
    more = sum(f.more_findings for f in files)
    lead = next((f.findings[0].sentence for f in files if f.findings), "nothing stands out.")
    rest = f" ({more} more not shown)" if more else ""
    read = warnings_sentence([w for f in files for w in f.warnings])
    return Insights(files=files, summary=f"{shown} findings{rest}. First: {lead}{read}")


def compare_data_quality(ctx: RealmContext, params: CompareDataQualityParams) -> Comparison:
    """Files side by side on quality rates; one file is named better only when it is."""
    return compare(
        _per_file(
            ctx, params.file_ids, lambda f: quality_of(read_polars(ctx, f, params.read_options))
        )
    )


def _per_file(ctx: RealmContext, file_ids: list[str], work: Callable[[str], T]) -> list[T]:
    """`work` on each file in turn, telling the user how far it got."""
    done = []
    for index, file_id in enumerate(file_ids):
        ctx.progress(f"file {index + 1} of {len(file_ids)}", round(100 * index / len(file_ids), 1))
        done.append(work(file_id))
    return done


INTENTS = [
    IntentSpec(PROFILE_DATA, profile_data),
    IntentSpec(GENERATE_INSIGHTS, generate_insights),
    IntentSpec(COMPARE_DATA_QUALITY, compare_data_quality),
]
