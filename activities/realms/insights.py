"""Insights realm: profiles, findings and comparisons of tabular files."""

from pydantic import BaseModel, Field

from activities.realms.context import RealmContext
from activities.registry import IntentSpec
from models.intents import Realm


class ProfileDataParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)


class GenerateInsightsParams(BaseModel):
    file_ids: list[str] = Field(min_length=1)
    date_column: str | None = None


class CompareDataQualityParams(BaseModel):
    file_ids: list[str] = Field(min_length=2)
