"""Reading the user's files into tables: type detection and parsing, shared by realms.

pandas defines what a file means (CSV/TSV with a sniffed delimiter, JSON arrays, JSON
Lines, Excel through openpyxl); every failure becomes an error a user can act on.
`read_polars` gives the same table as a polars frame for the Insights realm's profiling:
polars parses CSV/TSV itself (faster, see bench/realms) and its result is brought to
pandas' types (NA words, padded numbers, headers); anything it can't match exactly, and
every other kind of file, is read by pandas and converted.
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np
import pandas as pd
import polars as pl
from openpyxl.utils.exceptions import InvalidFileException

from activities.realms.context import RealmContext
from activities.realms.errors import bad_file
from models.files import FileRef
from storage.files import UnknownFile

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SNIFF_BYTES = 64 * 1024
# pandas.read_csv's default `na_values`: the words it reads as missing. polars only reads
# an empty field as missing, so its text columns get these cleared (a test keeps the list
# equal to pandas' own).
PANDAS_NA = (
    *("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND"),
    *("1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"),
)
PANDAS_TRUE = ("True", "TRUE", "true")
PANDAS_BOOL = (*PANDAS_TRUE, "False", "FALSE", "false")


@dataclass(frozen=True)
class Table:
    """A parsed tabular file and what it was parsed as."""

    ref: FileRef
    kind: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Sniffed:
    """The text `detect_kind` gave csv.Sniffer, and the delimiter (not a tab) it found."""

    text: str
    delimiter: str


@dataclass(frozen=True)
class PolarsTable:
    """The same table as a polars frame, with the types pandas would have given it."""

    ref: FileRef
    kind: str
    frame: pl.DataFrame


def open_file(ctx: RealmContext, file_id: str) -> tuple[FileRef, Path]:
    """The caller's file, or a non-retryable `unknown_file`."""
    try:
        return ctx.file(file_id)
    except UnknownFile as err:
        raise bad_file("unknown_file", f"file {file_id} does not exist or is not yours") from err


def detect_kind(ref: FileRef, path: Path) -> str:
    """csv, tsv, json, jsonl, xlsx or text, from the name first and the bytes second."""
    return _detect(ref, path)[0]


def _detect(ref: FileRef, path: Path) -> tuple[str, Sniffed | None]:
    """`detect_kind`'s answer and, for a CSV it sniffed, what the sniffer saw and found."""
    if ref.size == 0 or path.stat().st_size == 0:
        raise bad_file("empty_file", f"{ref.name} is empty")
    name = ref.name.lower()
    with path.open("rb") as source:
        head = source.read(SNIFF_BYTES)
    if name.endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        return "xlsx", None
    if b"\x00" in head:
        raise bad_file("unsupported_file", f"{ref.name} is a binary file this platform can't read")
    text = head.decode("utf-8", errors="replace").lstrip()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl", None
    if name.endswith(".json") or text.startswith(("[", "{")):
        return ("jsonl" if text.startswith("{") and "\n{" in text else "json"), None
    if name.endswith(TEXT_SUFFIXES):
        return "text", None
    if name.endswith(".tsv"):
        return "tsv", None
    return _sniff_delimited(text[:8192])


def _sniff_delimited(sample: str) -> tuple[str, Sniffed | None]:
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        return "text", None
    if dialect.delimiter == "\t":
        return "tsv", None
    return "csv", Sniffed(sample, dialect.delimiter)


def read_table(ctx: RealmContext, file_id: str) -> Table:
    """Parse a tabular file; text or broken files are refused with a clear message."""
    ref, path, kind, sniffed = _open_table(ctx, file_id)
    return Table(ref=ref, kind=kind, frame=_pandas_frame(ref, kind, path, sniffed))


def read_polars(ctx: RealmContext, file_id: str) -> PolarsTable:
    """The table `read_table` gives, as a polars frame.

    polars parses CSV/TSV (about twice as fast as pandas on large files); files whose
    meaning it can't match are read by pandas, as are JSON and Excel, which are small.
    """
    ref, path, kind, sniffed = _open_table(ctx, file_id)
    frame = None
    if kind in ("csv", "tsv"):
        frame = _polars_delimited(path, _delimiter(kind, path, sniffed))
    if frame is None:
        frame = _converted(ref, kind, path, sniffed)
    return PolarsTable(ref=ref, kind=kind, frame=frame)


def _open_table(ctx: RealmContext, file_id: str) -> tuple[FileRef, Path, str, Sniffed | None]:
    """The caller's file and its tabular kind; text files are refused, not parsed."""
    ref, path = open_file(ctx, file_id)
    kind, sniffed = _detect(ref, path)
    if kind == "text":
        raise bad_file("unsupported_file", f"{ref.name} is text, not a table of data")
    return ref, path, kind, sniffed


def _pandas_frame(ref: FileRef, kind: str, path: Path, sniffed: Sniffed | None) -> pd.DataFrame:
    """pandas' parse with string column names; a broken or empty file is refused."""
    try:
        frame = _parse(kind, path, sniffed)
    except (ValueError, KeyError, OSError, BadZipFile, InvalidFileException) as err:
        raise bad_file("corrupt_file", f"{ref.name} could not be read as {kind}: {err}") from err
    if frame.empty and len(frame.columns) == 0:
        raise bad_file("empty_file", f"{ref.name} has no rows or columns")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _converted(ref: FileRef, kind: str, path: Path, sniffed: Sniffed | None) -> pl.DataFrame:
    """pandas' table as polars; one polars can't hold (names repeated as text) is refused."""
    frame = _pandas_frame(ref, kind, path, sniffed)
    try:
        return _from_pandas(frame)
    except pl.exceptions.PolarsError as err:
        raise bad_file("corrupt_file", f"{ref.name} could not be read as {kind}: {err}") from err


def _parse(kind: str, path: Path, sniffed: Sniffed | None) -> pd.DataFrame:
    if kind == "xlsx":
        return pd.read_excel(path, engine="openpyxl")
    if kind == "json":
        return pd.json_normalize(json.loads(path.read_text(encoding="utf-8")))
    if kind == "jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_csv(path, sep=_delimiter(kind, path, sniffed))


def _delimiter(kind: str, path: Path, sniffed: Sniffed | None) -> str:
    """Tab for TSV; for CSV the one of , ; | that the file's first 8192 characters use.

    When those are the very text `detect_kind` sniffed (no leading blank, no \\r), its
    answer is reused: csv.Sniffer, offered a tab as well, found another delimiter, and
    leaving the tab out can't change that (each of its two guesses keeps the same best
    candidate: tab wasn't it, and with no tab among the candidates a comma still comes
    first in its preferred order). That saves sniffing twice (~1 ms).
    """
    if kind == "tsv":
        return "\t"
    with path.open(encoding="utf-8", errors="replace") as source:
        head = source.read(8192)
    if sniffed is not None and sniffed.text == head:
        return sniffed.delimiter
    return csv.Sniffer().sniff(head, delimiters=",;|").delimiter


def _polars_delimited(path: Path, separator: str) -> pl.DataFrame | None:
    """polars' parse of a CSV/TSV brought to pandas' types, or None to let pandas read it.

    None wherever polars' reading differs from pandas' in a way the frame can't undo:
    polars fails (a column changes type after the 100 rows it infers from, ragged rows,
    bad UTF-8: pandas gives the answer or the error), the header has empty or repeated
    names (pandas renames them), integers past 64 bits, blank lines (pandas skips them),
    a lone carriage return (pandas ends a line there) and NaN read from text (pandas
    reads only some spellings of it as missing).
    """
    try:
        frame = pl.read_csv(path, separator=separator)
    except pl.exceptions.PolarsError:
        return None
    if _header_differs(frame.columns) or _beyond_int64(frame) or _has_empty_rows(frame):
        return None
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    probe = _probe(frame, texts, floats)
    if any(probe[f"{n}:nan"] for n in floats) or any(probe[f"{n}:cr"] for n in texts):
        return None
    retyped = [
        _pandas_text(frame[n])
        for n in texts
        if probe[f"{n}:na"] or _may_be_typed(probe[f"{n}:first"])
    ]
    return frame.with_columns(retyped) if retyped else frame


def _header_differs(names: list[str]) -> bool:
    """pandas calls an empty header "Unnamed: i" and a repeat "a.1"; polars doesn't."""
    return any(not name or "_duplicated_" in name or "\r" in name for name in names)


def _beyond_int64(frame: pl.DataFrame) -> bool:
    """polars reads integers past 64 bits as Int128; pandas as uint64 or as text."""
    return any(dtype in (pl.Int128, pl.UInt128) for dtype in frame.schema.values())


def _has_empty_rows(frame: pl.DataFrame) -> bool:
    """A row with every field missing: a blank line (pandas drops those) or ",,," (kept).

    A column without gaps rules them out with no pass over the data.
    """
    if frame.is_empty() or any(not column.null_count() for column in frame.iter_columns()):
        return False
    return bool(frame.select(pl.all_horizontal(pl.all().is_null()).any()).item())


def _probe(frame: pl.DataFrame, texts: list[str], floats: list[str]) -> dict[str, Any]:
    """What the text and float columns hold that pandas would read differently.

    One query for all columns, so a clean file costs a single pass (a query per
    column costs ~0.5 ms on small files): per text column whether it has an NA word
    or a carriage return, and its first value; per float column whether it has a NaN.
    """
    if not texts and not floats:
        return {}
    return frame.select(
        *(pl.col(n).is_in(PANDAS_NA).any().alias(f"{n}:na") for n in texts),
        *(pl.col(n).str.contains("\r", literal=True).any().alias(f"{n}:cr") for n in texts),
        *(pl.col(n).drop_nulls().first().alias(f"{n}:first") for n in texts),
        *(pl.col(n).is_nan().any().alias(f"{n}:nan") for n in floats),
    ).row(0, named=True)


def _pandas_text(column: pl.Series) -> pl.Series:
    """A text column with NA words missing, typed as pandas would type what remains.

    polars reads a column as text when a value in it is an NA word, a number with
    spaces around it, or when its first 100 rows are empty; pandas reads those as
    numbers (or booleans).
    """
    column = column.replace(list(PANDAS_NA), None)
    present = column.drop_nulls()
    if present.is_empty() or not _may_be_typed(present[0]):
        return column
    return _typed(column, present)


def _may_be_typed(value: str | None) -> bool:
    """Cheap first look: a column whose first value is plain text stays text."""
    if value is None:
        return False
    if value in PANDAS_BOOL:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def _typed(column: pl.Series, present: pl.Series) -> pl.Series:
    """Integers, else floats, else booleans, when every value is one; else the text.

    Numbers may have spaces around them; "NaN" spelled other than as an NA word is no
    number to pandas.
    """
    stripped = column.str.strip_chars()
    for dtype in (pl.Int64, pl.Float64):
        numbers = stripped.cast(dtype, strict=False)
        nan = dtype == pl.Float64 and numbers.is_nan().any()
        if numbers.null_count() == column.null_count() and not nan:
            return numbers
    if present.is_in(PANDAS_BOOL).all():
        return column.is_in(PANDAS_TRUE).set(column.is_null(), None)
    return column


def _from_pandas(frame: pd.DataFrame) -> pl.DataFrame:
    """A pandas frame as polars, column by column.

    `pl.from_pandas` needs pyarrow for pandas' text columns; numeric and boolean
    columns move as numpy arrays, every other column as the strings pandas' own
    `astype(str)` gives (the strings the profile counts), missing values as null.
    """
    return pl.DataFrame([_polars_series(name, frame[name]) for name in frame.columns])


def _polars_series(name: str, column: pd.Series) -> pl.Series:
    """One pandas column as polars: numpy numbers as they are, anything else as text."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf":
        return pl.Series(name, column.to_numpy(), nan_to_null=True)
    text = column.astype(str).to_numpy(dtype=object, na_value=None).tolist()
    return pl.Series(name, text, dtype=pl.String)


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
