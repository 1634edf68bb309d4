"""The Insights realm's intents: what the user's tables say."""

from pydantic import BaseModel, Field

from activities.catalog import CatalogEntry, FileKind
from activities.realms.reading.options import ReadOptions
from models.intents import Realm

TABLES: frozenset[FileKind] = frozenset({"table"})


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


PROFILE_DATA = CatalogEntry(
    "profile_data",
    Realm.INSIGHTS,
    "Profile each column of the files (types, nulls, ranges, outliers) with a quality score.",
    ProfileDataParams,
    file_kinds=TABLES,
)
GENERATE_INSIGHTS = CatalogEntry(
    "generate_insights",
    Realm.INSIGHTS,
    "Find what stands out in the files: correlations, trends over a date column, skew, gaps.",
    GenerateInsightsParams,
    file_kinds=TABLES,
)
COMPARE_DATA_QUALITY = CatalogEntry(
    "compare_data_quality",
    Realm.INSIGHTS,
    "Compare two or more files' data quality measure by measure.",
    CompareDataQualityParams,
    file_kinds=TABLES,
)
ENTRIES = [PROFILE_DATA, GENERATE_INSIGHTS, COMPARE_DATA_QUALITY]
