"""Reading the user's files into tables: type detection and parsing, shared by realms.

pandas does the parsing (CSV/TSV with a sniffed delimiter, JSON arrays, JSON Lines,
Excel through openpyxl); every failure becomes an error a user can act on.
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from activities.realms.context import RealmContext
from activities.realms.errors import bad_file
from models.files import FileRef
from storage.files import UnknownFile

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Table:
    """A parsed tabular file and what it was parsed as."""

    ref: FileRef
    kind: str
    frame: pd.DataFrame


def open_file(ctx: RealmContext, file_id: str) -> tuple[FileRef, Path]:
    """The caller's file, or a non-retryable `unknown_file`."""
    try:
        return ctx.file(file_id)
    except UnknownFile as err:
        raise bad_file("unknown_file", f"file {file_id} does not exist or is not yours") from err


def detect_kind(ref: FileRef, path: Path) -> str:
    """csv, tsv, json, jsonl, xlsx or text, from the name first and the bytes second."""
    if ref.size == 0 or path.stat().st_size == 0:
        raise bad_file("empty_file", f"{ref.name} is empty")
    name = ref.name.lower()
    with path.open("rb") as source:
        head = source.read(SNIFF_BYTES)
    if name.endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head:
        raise bad_file("unsupported_file", f"{ref.name} is a binary file this platform can't read")
    text = head.decode("utf-8", errors="replace").lstrip()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json") or text.startswith(("[", "{")):
        return "jsonl" if text.startswith("{") and "\n{" in text else "json"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(".tsv"):
        return "tsv"
    return _sniff_delimited(ref, text)


def _sniff_delimited(ref: FileRef, text: str) -> str:
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        return "text"
    return "tsv" if dialect.delimiter == "\t" else "csv"


def read_table(ctx: RealmContext, file_id: str) -> Table:
    """Parse a tabular file; text or broken files are refused with a clear message."""
    ref, path = open_file(ctx, file_id)
    kind = detect_kind(ref, path)
    if kind == "text":
        raise bad_file("unsupported_file", f"{ref.name} is text, not a table of data")
    try:
        frame = _parse(kind, path)
    except (ValueError, KeyError, OSError, BadZipFile, InvalidFileException) as err:
        raise bad_file("corrupt_file", f"{ref.name} could not be read as {kind}: {err}") from err
    if frame.empty and len(frame.columns) == 0:
        raise bad_file("empty_file", f"{ref.name} has no rows or columns")
    frame.columns = [str(c) for c in frame.columns]
    return Table(ref=ref, kind=kind, frame=frame)


def _parse(kind: str, path: Path) -> pd.DataFrame:
    if kind == "xlsx":
        return pd.read_excel(path, engine="openpyxl")
    if kind == "json":
        return pd.json_normalize(json.loads(path.read_text(encoding="utf-8")))
    if kind == "jsonl":
        return pd.read_json(path, lines=True)
    if kind == "tsv":
        return pd.read_csv(path, sep="\t")
    with path.open(encoding="utf-8", errors="replace") as source:
        head = source.read(8192)
    delimiter = csv.Sniffer().sniff(head, delimiters=",;|").delimiter
    return pd.read_csv(path, sep=delimiter)


def read_text(ctx: RealmContext, file_id: str) -> tuple[FileRef, str]:
    """A text file's content (an SOP); binary files are refused."""
    ref, path = open_file(ctx, file_id)
    kind = detect_kind(ref, path)
    if kind in ("xlsx",):
        raise bad_file("unsupported_file", f"{ref.name} is a spreadsheet, not a text document")
    try:
        return ref, path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise bad_file("corrupt_file", f"{ref.name} is not valid UTF-8 text") from err
