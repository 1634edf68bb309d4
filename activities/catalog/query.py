"""The Insights realm's question intent: answers computed over the user's tables."""

from pydantic import BaseModel, Field

from activities.catalog import CatalogEntry
from activities.realms.reading.options import ReadOptions
from models.intents import Realm
from models.query import Query


class QueryDataParams(BaseModel):
    file_ids: list[str] = Field(min_length=1, max_length=20)
    question: str = Field(default="", max_length=2_000)
    query: Query | None = None
    read_options: ReadOptions | None = None


QUERY_DATA = CatalogEntry(
    "query_data",
    Realm.INSIGHTS,
    "Answer a question about the files' data with the numbers and the SQL that computed them.",
    QueryDataParams,
    file_kinds=frozenset({"table"}),
)
ENTRIES = [QUERY_DATA]
