"""Content realm: files in. Owns ingest_file, describe_file, list_files."""

import datetime
import math
import os
import re
from typing import Any

import pandas as pd
import polars as pl
from pydantic import BaseModel, Field

from activities.catalog.content import (
    DESCRIBE_FILE,
    INGEST_FILE,
    LIST_FILES,
    DescribeFileParams,
    IngestFileParams,
    ListFilesParams,
)
from activities.realms.context import RealmContext
from activities.realms.reading.options import ReadOptions, ReadWarning, UsedReadOptions
from activities.realms.spec import IntentSpec
from activities.realms.tables import (
    detect_kind,
    how_read,
    open_file,
    read_any,
    read_text,
    warnings_sentence,
)

SAMPLE_ROWS = 5
MAX_COLUMNS = 200
MAX_CELL = 80
MAX_WARNINGS = 50


class Column(BaseModel):
    name: str
    type: str


class FileSummary(BaseModel):
    """What a file holds, compactly: schema, counts and a few sample rows."""

    file_id: str
    name: str
    kind: str
    size: int
    row_count: int | None = None
    column_count: int | None = None
    columns: list[Column] = Field(default_factory=list)
    columns_truncated: bool = False
    sample_rows: list[dict[str, Any]] = Field(default_factory=list)
    line_count: int | None = None
    word_count: int | None = None
    headings: list[str] = Field(default_factory=list)
    read_options: UsedReadOptions | None = None
    warnings: list[ReadWarning] = Field(default_factory=list)
    summary: str


class FileList(BaseModel):
    files: list[FileSummary]
    summary: str


def infer_type(series: pd.Series) -> str:
    """integer, number, boolean, datetime, text or empty: what a person would call it."""
    values = series.dropna()
    if values.empty:
        return "empty"
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_numeric_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if _looks_like_dates(values):
        return "datetime"
    return "text"


def _looks_like_dates(values: pd.Series) -> bool:
    sample = values.astype(str).head(50)
    if not sample.str.match(r"^\d{4}-\d{2}-\d{2}").all():
        return False
    return bool(pd.to_datetime(sample, errors="coerce").notna().all())


def column_type(series: pl.Series) -> str:
    """The name `infer_type` gives, for a column as the reader typed it."""
    if series.null_count() == series.len():
        return "empty"
    if series.dtype == pl.Boolean:
        return "boolean"
    if series.dtype.is_integer():
        return "integer"
    if series.dtype.is_numeric():
        return "number"
    if series.dtype.is_temporal():
        return "datetime"
    return "text"


def summarize(ctx: RealmContext, file_id: str, options: ReadOptions | None = None) -> FileSummary:
    """Parse a file and describe it; no side effects."""
    ref, path = open_file(ctx, file_id)
    kind = detect_kind(ref, path)
    if kind == "text" and (options is None or options.kind is None):
        return _text_summary(ctx, file_id, kind)
    table = read_any(ctx, file_id, options)
    frame = table.frame
    columns = [Column(name=c.name, type=column_type(c)) for c in frame.iter_columns()]
    columns = columns[:MAX_COLUMNS]
    rows = frame.height
    shape = (
        f"{rows} rows and {frame.width} columns"
        if rows
        else f"column names ({frame.width}) but no rows"
    )
    return FileSummary(
        file_id=ref.file_id,
        name=ref.name,
        kind=table.kind,
        size=ref.size,
        row_count=rows,
        column_count=frame.width,
        columns=columns,
        columns_truncated=frame.width > MAX_COLUMNS,
        sample_rows=_samples(frame),
        read_options=table.read_options,
        warnings=table.warnings[:MAX_WARNINGS],
        summary=f"{ref.name} is {table.kind.upper()} with {shape} "
        f"({', '.join(c.name for c in columns[:6])}{', …' if len(columns) > 6 else ''})."
        f"{how_read(table.read_options)}{warnings_sentence(table.warnings)}",
    )


def _text_summary(ctx: RealmContext, file_id: str, kind: str) -> FileSummary:
    ref, text = read_text(ctx, file_id)
    lines = text.splitlines()
    headings = [line.lstrip("#").strip() for line in lines if re.match(r"^#{1,6}\s", line)]
    words = len(text.split())
    return FileSummary(
        file_id=ref.file_id,
        name=ref.name,
        kind=kind,
        size=ref.size,
        line_count=len(lines),
        word_count=words,
        headings=headings[:50],
        summary=f"{ref.name} is text with {len(lines)} lines, {words} words"
        f" and {len(headings)} headings.",
    )


def _samples(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The first rows as JSON values: dates in ISO, NaN and infinities as null."""
    head = frame.head(SAMPLE_ROWS).select(frame.columns[:MAX_COLUMNS])
    return [{k: _clip(_plain(v)) for k, v in row.items()} for row in head.iter_rows(named=True)]


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[: MAX_CELL - 1] + "…"
    return value


def ingest_file(ctx: RealmContext, params: IngestFileParams) -> FileSummary:
    """Parse and record a file's summary next to its bytes.

    The record is keyed on the file's sha256 and written atomically, so a re-run after
    a worker crash rewrites the same record instead of adding a second one.
    """
    ctx.progress("parsing", 10.0)
    summary = summarize(ctx, params.file_id, params.read_options)
    ref, path = open_file(ctx, params.file_id)
    record = path.with_name(f"{ref.sha256}.summary.json")
    tmp = record.with_name(f".{record.name}.{ctx.execution_id}")
    tmp.write_text(summary.model_dump_json())
    os.replace(tmp, record)
    ctx.progress("recorded", 100.0)
    return summary


def describe_file(ctx: RealmContext, params: DescribeFileParams) -> FileSummary:
    """The same summary as ingest, without recording anything."""
    return summarize(ctx, params.file_id, params.read_options)


def list_files(ctx: RealmContext, params: ListFilesParams) -> FileList:
    """Name, type and shape of each given file."""
    files = [summarize(ctx, file_id) for file_id in params.file_ids]
    names = ", ".join(f.name for f in files) or "no files"
    return FileList(files=files, summary=f"{len(files)} files: {names}.")


INTENTS = [
    IntentSpec(INGEST_FILE, ingest_file),
    IntentSpec(DESCRIBE_FILE, describe_file),
    IntentSpec(LIST_FILES, list_files),
]
