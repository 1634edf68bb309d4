"""The one table reader every realm uses: any file people have, read as they meant it.

`read_table(path, name, options)` gives a polars frame, the options it was read with
(detected or given: `UsedReadOptions`) and the warnings for what did not fit. Files
we cannot read raise a non-retryable error whose message says what to set.
"""

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import polars as pl

from activities.realms.errors import bad_file
from activities.realms.reading import encoding as enc
from activities.realms.reading.dialect import NO_DELIMITER, Dialect, sniff
from activities.realms.reading.guard import Broken, TooBig, check_zip
from activities.realms.reading.jsonshapes import records_frame
from activities.realms.reading.limits import ReadLimits
from activities.realms.reading.options import Kind, ReadOptions, ReadWarning, UsedReadOptions
from activities.realms.reading.sheets import SheetFailed, read_workbook
from activities.realms.reading.tidy import header_names, tidy, typed_frame
from activities.realms.reading.values import Locale, markers_in, number_locale
from models.files import file_kind

HEAD_BYTES = 1024 * 1024
INFER_ROWS = 10_000
WORKBOOKS = (".xlsx", ".xlsm")
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson", ".parquet", ".arrow")


def _quiet(message: str, percent: float | None) -> None:
    """No progress sink (benchmarks, unit tests)."""


@dataclass(frozen=True)
class TableRead:
    """A file read as a table: the frame, how it was read, and what did not fit."""

    frame: pl.DataFrame
    read_options: UsedReadOptions
    warnings: list[ReadWarning]


def read_table(
    path: Path,
    name: str,
    options: ReadOptions | None = None,
    *,
    limits: ReadLimits | None = None,
    progress: Callable[[str, float | None], None] = _quiet,
) -> TableRead:
    """Read `path` (the user's file called `name`) as a table.

    Raises a non-retryable ApplicationError (`empty_file`, `corrupt_file`,
    `unsupported_file`) with a sentence saying what is wrong and what to set.
    """
    options = options or ReadOptions()
    limits = limits or ReadLimits()
    if path.stat().st_size == 0:
        raise bad_file("empty_file", f"{name} is empty")
    with tempfile.TemporaryDirectory(prefix="symphainy-read-") as work:
        return _read(path, name, options, limits, progress, Path(work))


def _read(
    path: Path,
    name: str,
    options: ReadOptions,
    limits: ReadLimits,
    progress: Callable[[str, float | None], None],
    work: Path,
) -> TableRead:
    kind = options.kind or detect(path, name)
    if kind == "zip":
        inner, inner_name = _unzip(path, name, work, limits)
        return _read(inner, inner_name, options, limits, progress, work)
    if kind == "text":
        raise bad_file(
            "unsupported_file",
            f"{name} is text, not a table of data; if it is a table, set read_options "
            'kind (e.g. "csv" or "tsv") and the delimiter',
        )
    if kind in ("parquet", "arrow"):
        return _columnar(path, name, cast(Kind, kind), options)
    if kind == "xlsx":
        return _workbook(path, name, options, limits, progress, work)
    if kind in ("json", "jsonl"):
        return _json(path, name, cast(Kind, kind), options)
    return _delimited(path, name, kind, options, work)


def detect(path: Path, name: str) -> str:
    """csv, tsv, json, jsonl, xlsx, parquet, arrow, zip or text: the name first, then the bytes."""
    lower = name.lower()
    with path.open("rb") as source:
        head = source.read(64 * 1024)
    if lower.endswith(".parquet") or head.startswith(b"PAR1"):
        return "parquet"
    if lower.endswith((".arrow", ".feather", ".ipc")) or head.startswith(b"ARROW1"):
        return "arrow"
    if head.startswith(b"PK\x03\x04") or lower.endswith((*WORKBOOKS, ".zip")):
        return "zip" if lower.endswith(".zip") else "xlsx"
    try:
        encoding = enc.detect_encoding(head)
    except enc.NotText as err:
        raise bad_file(
            "unsupported_file", f"{name} is a binary file this platform can't read"
        ) from err
    text = enc.decoded_head(head, encoding).lstrip("\ufeff \t\r\n")
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith(".json") or text.startswith(("[", "{")):
        first, _, rest = text.partition("\n")
        return "jsonl" if first.rstrip().endswith("}") and rest.lstrip().startswith("{") else "json"
    if file_kind(name, head) == "text":
        return "text"
    if lower.endswith(".tsv"):
        return "tsv"
    return "csv"


def _unzip(path: Path, name: str, work: Path, limits: ReadLimits) -> tuple[Path, str]:
    """The one data file inside a .zip, unpacked after the bomb checks."""
    _guarded(path, name, limits)
    with zipfile.ZipFile(path) as archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and m.filename.lower().endswith((*DATA_SUFFIXES, *WORKBOOKS))
            and not m.filename.startswith("__MACOSX/")
        ]
        if len(members) != 1:
            raise bad_file(
                "unsupported_file",
                f"{name} holds {len(members)} data files; zip exactly one (CSV, JSON, Parquet "
                "or a workbook), or upload them one by one",
            )
        member = members[0]
        inner_name = Path(member.filename).name
        target = work / f"unzipped-{inner_name}"
        with archive.open(member) as source, target.open("wb") as out:
            while chunk := source.read(enc.CHUNK):
                out.write(chunk)
    return target, inner_name


def _guarded(path: Path, name: str, limits: ReadLimits) -> None:
    """The zip bomb checks, as a user's error."""
    try:
        check_zip(path, name, limits)
    except TooBig as err:
        raise bad_file("unsupported_file", str(err)) from err
    except Broken as err:
        raise bad_file("corrupt_file", str(err)) from err


def _columnar(path: Path, name: str, kind: Kind, options: ReadOptions) -> TableRead:
    """Parquet and Arrow IPC: typed already; nested columns become flat or JSON text."""
    try:
        frame = pl.read_parquet(path) if kind == "parquet" else pl.read_ipc(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        raise bad_file(
            "corrupt_file", f"{name} is not a readable {kind} file: it may be damaged"
        ) from err
    used = UsedReadOptions(kind=kind)
    return _typed(frame, name, used, Locale(".", ""), options)


def _workbook(
    path: Path,
    name: str,
    options: ReadOptions,
    limits: ReadLimits,
    progress: Callable[[str, float | None], None],
    work: Path,
) -> TableRead:
    """A workbook's largest (or chosen) sheet; every sheet is listed with its size."""
    try:
        book = read_workbook(path, name, options.sheet, work, limits, progress)
    except TooBig as err:
        raise bad_file("unsupported_file", str(err)) from err
    except Broken as err:
        raise bad_file("corrupt_file", str(err)) from err
    except SheetFailed as err:
        raise bad_file(*_sheet_failure(name, err, limits)) from err
    if book.name is None:
        listed = ", ".join(s.name for s in book.sheets) or "none"
        if options.sheet:
            raise bad_file(
                "unsupported_file", f"{name} has no sheet {options.sheet!r}; its sheets: {listed}"
            )
        raise bad_file("empty_file", f"{name} has no sheet with data")
    rows = [[c or "" for c in row] for row in book.cells.head(400).iter_rows()]
    dialect = _layout(rows, options)
    used = UsedReadOptions(
        kind="xlsx",
        sheet=book.name,
        sheets=book.sheets,
        header_row=dialect.header_row,
        has_header=dialect.has_header,
        preamble=dialect.preamble or None,
    )
    frame = book.cells.slice(dialect.header_row + (1 if dialect.has_header else 0))
    names = header_names(
        dialect.rows[0] if dialect.has_header and dialect.rows else [], frame.width
    )
    locale = Locale(
        options.decimal or ".", options.thousands if options.thousands is not None else ""
    )
    frame = frame.rename(dict(zip(frame.columns, names.names, strict=True)))
    return _typed(frame, name, used, locale, options, names.warnings, names.generated)


def _layout(rows: list[list[str]], options: ReadOptions) -> Dialect:
    """Where a sheet's table starts (merged title rows above it are skipped)."""
    text_rows = ["\x1f".join(r) for r in rows]
    dialect = sniff("\n".join(text_rows) + "\n", "\x1f", '"', options.header_row)
    if options.has_header is not None:
        return Dialect(
            dialect.delimiter,
            dialect.quote_char,
            dialect.header_row,
            options.has_header,
            dialect.preamble,
            dialect.rows,
        )
    return dialect


def _sheet_failure(name: str, err: SheetFailed, limits: ReadLimits) -> tuple[str, str]:
    if err.reason == "corrupt":
        return (
            "corrupt_file",
            f"{name} is damaged or not a workbook Excel can save; open and save it again, "
            "or export it as CSV",
        )
    return (
        "unsupported_file",
        f"{name} is refused: reading it needs more memory or time than one workbook may "
        f"take ({limits.sheet_memory_bytes // 2**20:,} MiB, {limits.sheet_cpu_seconds} s). "
        "Export the sheet you need as CSV or Parquet.",
    )


def _json(path: Path, name: str, kind: Kind, options: ReadOptions) -> TableRead:
    """JSON arrays, records under a key, and JSON Lines, flattened alike."""
    with path.open("rb") as source:
        head = source.read(HEAD_BYTES)
    encoding = options.encoding or enc.detect_encoding(head)
    try:
        text = path.read_text(encoding=encoding if encoding != "utf-8" else "utf-8-sig")
        frame, json_path = records_frame(text, kind, options.json_path)
    except UnicodeDecodeError as err:
        raise bad_file(
            "corrupt_file",
            f"{name} is not text in {encoding}; set read_options.encoding (e.g. cp1252)",
        ) from err
    except ValueError as err:
        raise bad_file(
            "corrupt_file", f"{name} could not be read as {kind.upper()}: {err}"
        ) from err
    used = UsedReadOptions(kind=kind, encoding=encoding, json_path=json_path)
    return _typed(frame, name, used, Locale(".", ""), options)


def _delimited(path: Path, name: str, kind: str, options: ReadOptions, work: Path) -> TableRead:
    """CSV and TSV in any encoding, dialect and number locale."""
    with path.open("rb") as raw:
        head = raw.read(HEAD_BYTES)
    try:
        encoding = options.encoding or enc.detect_encoding(head)
    except enc.NotText as err:
        raise bad_file(
            "unsupported_file", f"{name} is a binary file this platform can't read"
        ) from err
    text = enc.decoded_head(head, encoding).lstrip("\ufeff")
    if len(head) == HEAD_BYTES:
        text = text[: text.rfind("\n") + 1] or text
    eol = "\r" if "\r" in text and "\n" not in text else "\n"  # old Mac line ends
    delimiter = options.delimiter or ("\t" if kind == "tsv" else None)
    dialect = sniff(
        text.replace("\r", "\n") if eol == "\r" else text,
        delimiter,
        options.quote_char,
        options.header_row,
    )
    if options.has_header is not None:
        dialect = Dialect(
            dialect.delimiter,
            dialect.quote_char,
            dialect.header_row,
            options.has_header,
            dialect.preamble,
            dialect.rows,
        )
    cells = [c for row in dialect.rows[1 if dialect.has_header else 0 :] for c in row]
    found = number_locale(cells, dialect.delimiter)
    locale = Locale(
        options.decimal or found.decimal,
        options.thousands if options.thousands is not None else found.thousands,
        None if options.decimal or options.thousands is not None else found.doubt,
    )
    source, encoding = _utf8(path, name, encoding, work)
    try:
        frame = _polars_csv(source, name, dialect, locale, eol)
    except _BadUtf8:
        source, encoding = _utf8(path, name, enc.FALLBACKS[0], work)
        frame = _polars_csv(source, name, dialect, locale, eol)
    names = header_names(
        dialect.rows[0] if dialect.has_header and dialect.rows else [], frame.width
    )
    frame = frame.rename(dict(zip(frame.columns, names.names, strict=True)))
    used = UsedReadOptions(
        kind="tsv" if dialect.delimiter == "\t" else "csv",
        encoding=encoding,
        delimiter=None if dialect.delimiter == NO_DELIMITER else dialect.delimiter,
        quote_char=dialect.quote_char,
        decimal=locale.decimal,
        thousands=locale.thousands,
        header_row=dialect.header_row,
        has_header=dialect.has_header,
        preamble=dialect.preamble or None,
    )
    warnings = list(names.warnings)
    if locale.doubt:
        warnings.append(
            ReadWarning(
                kind="number_locale",
                message=f"{locale.doubt}; set read_options.decimal and thousands if that is wrong",
            )
        )
    return _typed(frame, name, used, locale, options, warnings, names.generated)


def _utf8(path: Path, name: str, encoding: str, work: Path) -> tuple[Path, str]:
    """The file as UTF-8 (itself when it is), following the encoding chain on failure."""
    if encoding == "utf-8":
        return path, encoding
    target = work / "utf8.csv"
    for candidate in enc.chain(encoding):
        try:
            enc.transcode(path, target, candidate)
        except (UnicodeDecodeError, UnicodeError):
            continue
        return target, candidate
    raise bad_file(
        "corrupt_file", f"{name} is not text in any encoding tried; set read_options.encoding"
    )


class _BadUtf8(ValueError):
    """Bytes past the sample are not UTF-8 after all."""


def _polars_csv(
    source: Path, name: str, dialect: Dialect, locale: Locale, eol: str
) -> pl.DataFrame:
    """polars' parse: types inferred when numbers are plain, else all text for `values`.

    A file whose numbers use a decimal comma or thousands separators is read as text
    and typed here (polars would read 1.234 as one and a bit). polars is told only the
    missing markers the sample uses (checking every field against all of them took
    four times as long as the parse); a column with another one later is read as text
    and typed by `values`, which knows them all. Invalid UTF-8 past the sample falls
    back to cp1252.
    """
    plain = locale.decimal == "." and not locale.thousands
    args: dict[str, Any] = {
        "separator": dialect.delimiter,
        "quote_char": dialect.quote_char,
        "skip_rows": dialect.header_row,
        "has_header": dialect.has_header,
        "truncate_ragged_lines": True,
        "eol_char": eol,
        "raise_if_empty": False,
        "null_values": markers_in(dialect.rows) or None,
        "infer_schema_length": INFER_ROWS,
    }
    for infer in (True, False) if plain else (False,):
        try:
            return pl.read_csv(source, infer_schema=infer, **args)
        except pl.exceptions.ComputeError as err:
            if "utf-8" in str(err).lower() or "utf8" in str(err).lower():
                raise _BadUtf8(str(err)) from err
            last = err
        except pl.exceptions.NoDataError:
            return pl.DataFrame()
    raise bad_file(
        "corrupt_file",
        f"{name} could not be read as a table with delimiter {dialect.delimiter!r}; set "
        f"read_options.delimiter and header_row ({str(last)[:120]})",
    ) from last


def _typed(
    frame: pl.DataFrame,
    name: str,
    used: UsedReadOptions,
    locale: Locale,
    options: ReadOptions,
    warnings: list[ReadWarning] | None = None,
    generated: set[str] | None = None,
) -> TableRead:
    """Text columns typed (numbers, booleans, dates), empty padding dropped, warnings gathered."""
    frame = tidy(frame, generated or set())
    frame, formats, type_warnings = typed_frame(frame, locale, options.date_formats or {})
    used.date_formats = formats or None
    found = [*(warnings or []), *type_warnings]
    if frame.width and frame.height == 0:
        found.append(
            ReadWarning(kind="header_only", message=f"{name} has column names but no rows of data")
        )
    if frame.width == 0:
        raise bad_file("empty_file", f"{name} has no rows or columns")
    return TableRead(frame=frame, read_options=used, warnings=found)
