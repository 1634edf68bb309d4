"""Questions about a user's data: the structured query and the schema it is checked against.

Shared by the Insights liaison (which builds a `Query` from a question) and the query
realm (which compiles and runs it), so both read the same shapes.
"""

from typing import Literal

from pydantic import BaseModel, Field

Agg = Literal["count", "sum", "mean", "median", "min", "max"]
Period = Literal["day", "week", "month", "quarter", "year"]
Shape = Literal["aggregate", "top", "correlation", "distribution", "trend", "distinct", "sql"]
Op = Literal["=", "!=", ">", ">=", "<", "<=", "between", "year", "month", "weekend", "weekday"]
Chart = Literal["auto", "bar", "line", "none"]
MAX_GROUPS = 2


class ColumnInfo(BaseModel):
    """One column as questions see it: its name, its kind, and common values of text."""

    name: str
    type: str
    """integer, number, boolean, datetime, text or empty (as ingest infers them)."""
    values: list[str] = Field(default_factory=list)
    """The most common values of a text column, to tell which column "Adelie" is in."""
    distinct: int = 0


class TableSchema(BaseModel):
    """A tabular file's columns, as the liaison and the model see them."""

    file_id: str
    name: str
    table: str
    """The name the file has in SQL."""
    rows: int
    columns: list[ColumnInfo]

    def column(self, name: str) -> ColumnInfo | None:
        """The column of that exact name, if the file has one."""
        return next((c for c in self.columns if c.name == name), None)


class Condition(BaseModel):
    """A filter: `column op value` (`year`/`month` compare a date's part; `weekend` takes none)."""

    column: str
    op: Op
    value: float | str | list[float] | None = None


class Query(BaseModel):
    """A question in structured form; the realm turns it into SQL over the file.

    `shape` decides the SQL: an aggregate (optionally by one or two groups), the top or
    bottom `limit` rows or groups, a correlation of two `columns`, a distribution
    (histogram of `bins` for numbers, counts for text), a trend of `column` over
    `date_column` by `period`, or distinct values with counts. `sql` carries a SELECT a
    model or client wrote instead; it is checked against the whitelist before it runs.
    """

    shape: Shape
    agg: Agg = "count"
    column: str | None = None
    columns: list[str] = Field(default_factory=list, max_length=2)
    group_by: list[str] = Field(default_factory=list, max_length=MAX_GROUPS)
    where: list[Condition] = Field(default_factory=list, max_length=8)
    order: Literal["desc", "asc"] = "desc"
    limit: int | None = Field(default=None, ge=1, le=1_000)
    date_column: str | None = None
    period: Period | None = None
    bins: int = Field(default=10, ge=2, le=50)
    chart: Chart = "auto"
    sql: str | None = Field(default=None, max_length=8_000)
    file_id: str | None = None
    """Which of the files the query is over (default: the first)."""
