"""What the reader can be told, what it reports it used, and what did not fit.

`ReadOptions` is both: every field a user may set by hand (an intent's `read_options`
param: "use ; as the delimiter", "read the Data sheet"), and, filled in, what the
reader detected and used, so a result always says how its file was read.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["csv", "tsv", "json", "jsonl", "xlsx", "parquet", "arrow"]


class ReadOptions(BaseModel):
    """How to read a file; a field left None is detected."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    encoding: str | None = Field(default=None, description="e.g. utf-8, cp1252, utf-16")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    quote_char: str | None = Field(default=None, min_length=1, max_length=1)
    decimal: Literal[".", ","] | None = None
    thousands: Literal["", ",", ".", " ", "'"] | None = None
    header_row: int | None = Field(
        default=None, ge=0, description="lines above the header (a title or preamble)"
    )
    has_header: bool | None = None
    sheet: str | None = None
    json_path: str | None = Field(
        default=None, description="where the records are in a JSON document, e.g. data.items"
    )
    date_formats: dict[str, str] | None = Field(
        default=None, description="strftime format per column, e.g. {'day': '%d/%m/%Y'}"
    )


class SheetInfo(BaseModel):
    """One sheet of a workbook and its size, as listed in `read_options.sheets`."""

    name: str
    rows: int
    columns: int


class UsedReadOptions(ReadOptions):
    """The options a file was read with, detected or given, plus what was found on the way."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    sheets: list[SheetInfo] | None = None
    preamble: list[str] | None = None


class ReadWarning(BaseModel):
    """Something the reader did not read as the rest of its column, or a doubt it had."""

    kind: str
    column: str | None = None
    count: int = 0
    examples: list[str] = Field(default_factory=list)
    message: str
