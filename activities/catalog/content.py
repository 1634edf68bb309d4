"""The Content realm's intents: files in."""

from pydantic import BaseModel, Field

from activities.catalog import CatalogEntry
from activities.realms.reading.options import ReadOptions
from models.intents import Realm


class IngestFileParams(BaseModel):
    file_id: str = Field(min_length=1)
    read_options: ReadOptions | None = None


class DescribeFileParams(BaseModel):
    file_id: str = Field(min_length=1)
    read_options: ReadOptions | None = None


class ListFilesParams(BaseModel):
    file_ids: list[str] = Field(default_factory=list)


INGEST_FILE = CatalogEntry(
    "ingest_file",
    Realm.CONTENT,
    "Parse an uploaded file and record its schema, row count and sample rows.",
    IngestFileParams,
    file_kinds=frozenset({"table", "text"}),
)
DESCRIBE_FILE = CatalogEntry(
    "describe_file",
    Realm.CONTENT,
    "Describe a file's shape and columns without recording anything.",
    DescribeFileParams,
    file_kinds=frozenset({"table", "text"}),
)
LIST_FILES = CatalogEntry(
    "list_files",
    Realm.CONTENT,
    "List the given files with their type and shape.",
    ListFilesParams,
    file_kinds=frozenset({"table", "text"}),
)
ENTRIES = [INGEST_FILE, DESCRIBE_FILE, LIST_FILES]
