"""Content realm: files in. Owns ingest_file, describe_file, list_files."""

from pydantic import BaseModel, Field

from activities.realms.context import RealmContext
from activities.registry import IntentSpec
from models.intents import Realm


class IngestFileParams(BaseModel):
    file_id: str = Field(min_length=1)


class DescribeFileParams(BaseModel):
    file_id: str = Field(min_length=1)


class ListFilesParams(BaseModel):
    file_ids: list[str] = Field(default_factory=list)
