"""How a delimited text file is laid out: delimiter, quote, preamble, header.

Each candidate delimiter and quote parses the sample with Python's csv module; the
candidate whose rows agree on one field count (after any title or preamble lines) and
whose cells read as values (numbers, dates, missing markers) wins, as CleverCSV
scores dialects (pattern consistency times type share). Unlike csv.Sniffer it reads
the whole sample, not its first 8 KiB, so 100+ columns and single columns come out
right, and it finds the line where the table starts. bench/realms/reading_bench.py
measures it against csv.Sniffer, CleverCSV and DuckDB's sniffer.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from activities.realms.reading.values import looks_typed

DELIMITERS = (",", ";", "\t", "|")
QUOTES = ('"', "'")
SAMPLE_ROWS = 400
NO_DELIMITER = "\x1f"
"""One column: read with a separator no text uses (the ASCII unit separator)."""
YEAR = re.compile(r"\d{4}")
FIRST_YEAR, LAST_YEAR = 1000, 2999
"""A header cell of four digits in this range is a year (a wide table's period)."""
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Dialect:
    """What `sniff` found; `rows` are the sample's rows from the header on."""

    delimiter: str
    quote_char: str
    header_row: int
    has_header: bool
    preamble: list[str]
    rows: list[list[str]]


def split_rows(text: str, delimiter: str, quote: str) -> list[list[str]]:
    """The sample's rows as csv reads them (blank lines dropped, at most SAMPLE_ROWS)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote, strict=False)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        return rows
    return rows


def sniff(text: str, delimiter: str | None, quote: str | None, header_row: int | None) -> Dialect:
    """The best dialect for the sample; given options are kept as they are."""
    text, sep_hint = _excel_sep_line(text)
    skip = 1 if sep_hint else 0
    delimiter = delimiter or sep_hint
    candidates = [
        (d, q)
        for d in ((delimiter,) if delimiter else DELIMITERS)
        for q in ((quote,) if quote else QUOTES)
    ]
    scored = [(_score(text, d, q, header_row), d, q) for d, q in candidates]
    (score, start, rows), best_d, best_q = max(scored, key=lambda s: s[0][0])
    if score <= 0 and not delimiter:
        best_d = NO_DELIMITER
        rows = [[line] for line in text.splitlines()][:SAMPLE_ROWS]
        start = header_row if header_row is not None else _first_filled(rows)
    body = _nonblank(rows[start:])
    preamble = [best_d.join(r).strip(best_d + " ") for r in rows[:start] if any(r)]
    return Dialect(
        delimiter=best_d,
        quote_char=best_q,
        header_row=start + skip,
        has_header=_has_header(body),
        preamble=([f"sep={sep_hint}"] if sep_hint else []) + preamble,
        rows=body,
    )


def _excel_sep_line(text: str) -> tuple[str, str | None]:
    """Excel's `sep=;` first line names the delimiter; the text after it, and the hint."""
    first, _, rest = text.partition("\n")
    match = re.fullmatch(r'"?sep=(.)"?\r?', first.strip("\ufeff"))
    return (rest, match.group(1)) if match else (text, None)


def _score(
    text: str, delimiter: str, quote: str, header_row: int | None
) -> tuple[float, int, list[list[str]]]:
    """How well a dialect fits: consistent field counts times the share of typed cells."""
    rows = split_rows(text, delimiter, quote)
    if text and not text.endswith("\n") and len(rows) > 2:
        rows = rows[:-1]  # the sample may cut its last row
    counts = [len(r) for r in rows if _filled(r)]
    if not counts:
        return 0.0, 0, rows
    width = Counter(counts[len(counts) // 4 :] or counts).most_common(1)[0][0]
    if width < 2:
        return 0.0, 0, rows
    start = header_row if header_row is not None else _table_start(rows, width)
    body = _nonblank(rows[start:])
    consistent = sum(len(r) == width for r in body) / max(1, len(body))
    cells = [c for r in body[1:] for c in r]
    typed = sum(looks_typed(c) for c in cells) / max(1, len(cells))
    kept = len(body) / max(1, len(_nonblank(rows)))
    quote_use = _quote_evidence(text, delimiter, quote)
    return consistent * (0.5 + 0.5 * typed) * kept * quote_use, start, rows


def _quote_evidence(text: str, delimiter: str, quote: str) -> float:
    """A quote character that never opens a field costs a little (prefer `"`)."""
    if quote == '"':
        return 1.0
    opens = text.count(delimiter + quote) + text.count("\n" + quote)
    return 1.0 if opens > 2 else 0.99


def _table_start(rows: list[list[str]], width: int) -> int:
    """The first row of the table: full width, filled, with rows of that width after it.

    Rows above it are a title or preamble: fewer fields, or one filled cell in a full
    row (a report's "Exported on ..." line followed by empty fields).
    """
    for index, row in enumerate(rows):
        if len(row) != width or _filled(row) < max(2, (width + 1) // 2):
            continue
        following = [r for r in rows[index + 1 : index + 6] if _filled(r)]
        if not following or sum(len(r) == width for r in following) >= len(following) * 0.8:
            return index
    return 0


def _filled(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _first_filled(rows: list[list[str]]) -> int:
    return next((i for i, r in enumerate(rows) if _filled(r)), 0)


def _nonblank(rows: list[list[str]]) -> list[list[str]]:
    return [r for r in rows if _filled(r)]


def _has_header(body: list[list[str]]) -> bool:
    """A first row of names over typed values is a header; one typed like the rows is not.

    With nothing to tell them apart (all text) a header is assumed, as most files have one.
    A wide table's periods as names (1960, 1961, …) are a header too: `_years_name_columns`.
    """
    if len(body) < 2:
        return True
    first, rest = body[0], body[1:6]
    for index, cell in enumerate(first):
        column = [r[index] for r in rest if index < len(r) and r[index].strip()]
        typed_below = column and all(looks_typed(c, missing=False) for c in column)
        if typed_below and not looks_typed(cell):
            return True
    if _years_name_columns(first, body[1:]):
        return True
    return not any(looks_typed(c, missing=False) for c in first)


def _years_name_columns(first: list[str], rows: list[list[str]]) -> bool:
    """Whether the first row's typed cells are distinct years naming the columns below.

    World Bank and statistics-office exports put one column per year under a header of
    years over rates or counts; the years are names when none of those columns holds a
    year below them. A headerless row keeps its place: one with any other number or a
    date in it (a headerless table of measures), a repeated year, or years over columns
    that hold years too (a table of years or of four-digit counts).
    """
    typed = [(i, c.strip()) for i, c in enumerate(first) if looks_typed(c, missing=False)]
    if not typed or not all(_is_year(cell) for _, cell in typed):
        return False
    if len({cell for _, cell in typed}) < len(typed):
        return False
    return not any(_is_year(row[i]) for row in rows for i, _ in typed if i < len(row))


def _is_year(cell: str) -> bool:
    """Four digits from 1000 to 2999, as a header or a table writes a year."""
    value = cell.strip()
    return bool(YEAR.fullmatch(value)) and FIRST_YEAR <= int(value) <= LAST_YEAR
