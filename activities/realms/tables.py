"""The caller's files as tables, for the realms: `reading.read_table` behind their access checks.

Every realm reads through here, so a file means the same to ingest, profile, insights
and comparison: the reader (activities/realms/reading) detects encoding, dialect,
number locale, header, sheet, JSON shape and date formats, and reports what it used
(`read_options`) and what did not fit (`warnings`).
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import polars as pl

from activities.realms.context import RealmContext
from activities.realms.errors import bad_file
from activities.realms.reading.encoding import NotText, detect_encoding
from activities.realms.reading.options import ReadOptions, ReadWarning, UsedReadOptions
from activities.realms.reading.reader import detect
from activities.realms.reading.reader import read_table as read
from models.files import FileRef
from storage.files import UnknownFile


@dataclass(frozen=True)
class PolarsTable:
    """A table as the reader gives it: polars, typed, with how it was read."""

    ref: FileRef
    kind: str
    frame: pl.DataFrame
    read_options: UsedReadOptions
    warnings: list[ReadWarning]


@dataclass(frozen=True)
class Table:
    """The same table as pandas, for the findings that are one pandas call each."""

    ref: FileRef
    kind: str
    frame: pd.DataFrame
    read_options: UsedReadOptions
    warnings: list[ReadWarning]


def open_file(ctx: RealmContext, file_id: str) -> tuple[FileRef, Path]:
    """The caller's file, or a non-retryable `unknown_file`."""
    try:
        return ctx.file(file_id)
    except UnknownFile as err:
        raise bad_file("unknown_file", f"file {file_id} does not exist or is not yours") from err


def detect_kind(ref: FileRef, path: Path) -> str:
    """csv, tsv, json, jsonl, xlsx, parquet, arrow, zip or text."""
    if ref.size == 0 or path.stat().st_size == 0:
        raise bad_file("empty_file", f"{ref.name} is empty")
    return detect(path, ref.name)


def read_any(ctx: RealmContext, file_id: str, options: ReadOptions | None = None) -> PolarsTable:
    """The caller's file as a table, header-only files included (ingest describes them)."""
    ref, path = open_file(ctx, file_id)
    got = read(path, ref.name, options, limits=ctx.read_limits, progress=ctx.progress)
    return PolarsTable(ref, got.read_options.kind, got.frame, got.read_options, got.warnings)


def read_polars(ctx: RealmContext, file_id: str, options: ReadOptions | None = None) -> PolarsTable:
    """A table with rows to analyse; a header-only file is refused, never scored."""
    table = read_any(ctx, file_id, options)
    if table.frame.height == 0:
        raise bad_file(
            "empty_file",
            f"{table.ref.name} has column names but no rows of data: nothing to analyse",
        )
    return table


def read_table(ctx: RealmContext, file_id: str, options: ReadOptions | None = None) -> Table:
    """`read_polars`' table as pandas."""
    table = read_polars(ctx, file_id, options)
    frame = table.frame.to_pandas()
    return Table(table.ref, table.kind, frame, table.read_options, table.warnings)


def read_text(ctx: RealmContext, file_id: str) -> tuple[FileRef, str]:
    """A text document (an SOP) in whatever encoding it was saved; binary files are refused."""
    ref, path = open_file(ctx, file_id)
    if detect_kind(ref, path) in ("xlsx", "parquet", "arrow", "zip"):
        raise bad_file("unsupported_file", f"{ref.name} is a data file, not a text document")
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data[: 1024 * 1024])
    except NotText as err:
        raise bad_file(
            "unsupported_file", f"{ref.name} is a binary file, not a text document"
        ) from err
    return ref, data.decode(encoding, errors="replace")


def how_read(options: UsedReadOptions) -> str:
    """What a user should know about how the file was read, as a sentence ("" if plain)."""
    said = []
    if options.sheet and options.sheets and len(options.sheets) > 1:
        others = ", ".join(
            f"{s.name} ({s.rows}x{s.columns})" for s in options.sheets if s.name != options.sheet
        )
        said.append(f"read sheet {options.sheet}; other sheets: {others}")
    if options.encoding and options.encoding not in ("utf-8", "ascii"):
        said.append(f"encoding {options.encoding}")
    if options.delimiter and options.delimiter not in (",", "\t"):
        said.append(f"delimiter {options.delimiter!r}")
    if options.decimal == ",":
        said.append(
            "decimal comma" + (f", thousands {options.thousands!r}" if options.thousands else "")
        )
    elif options.thousands:
        said.append(f"thousands separator {options.thousands!r}")
    if options.header_row:
        said.append(f"header on line {options.header_row + 1}")
    if options.has_header is False:
        said.append("no header row")
    if options.json_path:
        said.append(f"records under {options.json_path!r}")
    return f" Read with {'; '.join(said)}." if said else ""


def warnings_sentence(warnings: list[ReadWarning]) -> str:
    """The warnings in one sentence for the agent's reply ("" if none)."""
    if not warnings:
        return ""
    shown = "; ".join(w.message for w in warnings[:3])
    more = f" (and {len(warnings) - 3} more)" if len(warnings) > 3 else ""
    return f" {len(warnings)} warning{'s' if len(warnings) > 1 else ''}: {shown}{more}."
