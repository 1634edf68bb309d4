"""What the cells of a column mean: missing markers, numbers in any locale, dates.

Every text column is typed from all its values with vectorised polars expressions:
a column is numeric, boolean or a date when at least `FIT_PERCENT` of its present values read
as one; the values that don't are counted and reported (`ReadWarning`), never dropped
in silence. Number locale (decimal and thousands separators) is decided for the whole
file from the sample (`number_locale`); date formats per column, from all its values,
so a column of 03/04/2024 days is read day-first only when a value such as 25/04/2024
says so (or, with no such value, reported as ambiguous).
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from activities.realms.reading.options import ReadWarning

FIT_PERCENT = 90
"""Share of a column's present values that must read as a type for the column to take it."""
EXAMPLES = 5
NA_MARKERS = (
    *("", "NA", "N/A", "n/a", "na", "N.A.", "n.a.", "NaN", "nan", "NAN", "null", "NULL"),
    *("Null", "None", "none", "NONE", "-", "--", "—", "\u2013", "?", "#N/A", "#NA", "#N/A N/A"),
    *("#NV", "#N/D", "#N/V", "#VALUE!", "#DIV/0!", "#REF!", "<NA>", "missing", "Missing"),
    *("k.A.", "k. A.", "keine Angabe", "n.v.", "n.V.", "NV", "n.d.", "N.D.", "nd", "ND"),
    *("s.o.", "s/d", "S/D", "sin datos", "Sin datos", "s.d.", "néant", "inconnu", "n.b."),
    *("nicht verfügbar", "ei tietoa", "brak danych", "nb", "n.b.", "N.B.", "NB"),
)
TRUE_WORDS = ("true", "yes", "y", "t", "ja", "oui", "sí", "si", "wahr", "vrai")
FALSE_WORDS = ("false", "no", "n", "f", "nein", "non", "falsch", "faux")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%b %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
)
_NUMBER = re.compile(r"^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")
_GROUPED = re.compile(r"^[-+]?\d{1,3}([.,' ]\d{3})+([.,]\d+)?$")
_DATE = re.compile(
    r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2})?"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4})$"
)
_NA = frozenset(NA_MARKERS)
_BOOL = frozenset((*TRUE_WORDS, *FALSE_WORDS))
_VALUE = "value"
"""The name a column takes in the queries built once for any column."""
_NA_LIST = sorted(_NA)
_BOOL_LIST = sorted(_BOOL)


def fits(good: int, total: int) -> bool:
    """Whether `good` of `total` values reach FIT_PERCENT (in integers: 9 of 10 does)."""
    return 100 * good >= FIT_PERCENT * total


def looks_typed(cell: str, *, missing: bool = True) -> bool:
    """A cell that reads as a number, a date or (if `missing`) a missing marker."""
    value = cell.strip()
    if value in _NA:
        return missing
    return bool(_NUMBER.match(value) or _GROUPED.match(value) or _DATE.match(value))


@dataclass(frozen=True)
class Locale:
    """The file's decimal and thousands separators, and any doubt about them."""

    decimal: str
    thousands: str
    doubt: str | None = None


def number_locale(cells: list[str], delimiter: str) -> Locale:
    """Decimal and thousands separators, from every number-shaped cell of the sample.

    `1.234,5` and `1,5` say decimal comma; `1,234.5` and `1,234,567` say thousands
    comma. A lone `1.234` or `135,450` could be either: a `;` file (how European Excel
    writes) takes them as thousands and decimal commas, any other file as written in
    English, and the doubt is reported.
    """
    values = [c.strip() for c in cells if c and c.strip()[:1] in "-+0123456789"]
    comma_decimal = any(
        re.fullmatch(r"[-+]?\d*(\.\d{3})*,\d{1,2}|[-+]?\d+,\d{4,}", v) for v in values
    )
    dot_thousands_comma = any(re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+,\d+", v) for v in values)
    comma_thousands = any(re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", v) for v in values)
    dot_decimal = any(re.fullmatch(r"[-+]?\d*\.\d{1,2}|[-+]?\d+\.\d{4,}", v) for v in values)
    dot_grouped = any(re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+", v) for v in values)
    space_grouped = any(
        re.fullmatch(r"[-+]?\d{1,3}([ \u00a0\u202f]\d{3})+(,\d+)?", v) for v in values
    )
    if comma_decimal or dot_thousands_comma:
        return Locale(
            ",", "." if dot_grouped or dot_thousands_comma else (" " if space_grouped else "")
        )
    if comma_thousands and not dot_decimal and delimiter == ";":
        return Locale(",", "", "numbers such as 1,250 were read as 1.25 (decimal comma)")
    if comma_thousands:
        return Locale(".", ",")
    if dot_grouped and not dot_decimal and delimiter == ";":
        return Locale(",", ".", "numbers such as 1.250 were read as 1250 (thousands dot)")
    if space_grouped:
        return Locale(".", " ")
    return Locale(".", "")


def markers_in(rows: list[list[str]]) -> list[str]:
    """The missing markers the sample's cells use (as written, for polars' exact match)."""
    return sorted({cell for row in rows for cell in row if cell.strip() in _NA and cell})


def clean_text(column: pl.Series) -> pl.Series:
    """Spaces trimmed and missing markers (in several languages) as missing.

    A column with nothing to trim or mark is returned as it is: a copy of a text column
    that stays text was the reader's largest extra memory (bench/realms/reading_bench).
    Both questions are one query: on a small file each query, not the work, is the cost.
    """
    value = pl.col(column.name)
    padded, marked = (
        column.to_frame()
        .select(
            value.str.contains(r"^\s|\s$").any().alias("padded"),
            value.is_in(_NA_LIST).any().alias("marked"),
        )
        .row(0)
    )
    if not padded:
        return column.set(column.is_in(_NA_LIST), None) if marked else column
    stripped = column.str.strip_chars()
    missing = stripped.is_in(_NA_LIST)
    return stripped.set(missing, None) if missing.any() else stripped


def numbers(column: pl.Series, locale: Locale) -> pl.Series:
    """The column read as numbers in the file's locale; what doesn't read is null."""
    return column.to_frame().select(_number(pl.col(column.name), locale)).to_series()


def _number(text: pl.Expr, locale: Locale) -> pl.Expr:
    """`numbers` as an expression, so that it joins other questions in one query."""
    text = text.str.replace_all(r"[\u00a0\u202f]", " ")
    if locale.thousands:
        grouped = text.str.contains(r"^[-+]?\d{1,3}([" + re.escape(locale.thousands) + r"]\d{3})+")
        ungrouped = text.str.replace_all(re.escape(locale.thousands), "", literal=False)
        text = pl.when(grouped).then(ungrouped).otherwise(text)
    if locale.decimal == ",":
        text = text.str.replace(",", ".", literal=True)
    return text.cast(pl.Float64, strict=False)


def spread_sample(present: pl.Series) -> pl.Series:
    """The first 500 values and 2,000 spread over the rest: enough to rule a type out."""
    if present.len() <= 2_500:
        return present
    return pl.concat([present.head(500), present.gather_every(present.len() // 2000)])


def date_formats(present: pl.Series, sample: pl.Series) -> list[str]:
    """The formats a column's dates are written in, chosen on all its values.

    `present`: the column's values, nulls dropped; `sample`: its `spread_sample`. The
    formats that read any of the sample are the candidates; then the one reading the
    most values of the whole column, then any that reads what is left (a column that
    switches from ISO to day-first dates). Day-first and month-first read the same
    values only when no day passes 12: the first one listed is kept and the caller
    reports the doubt. A sample that is the whole column is not read twice.
    """
    read = _reads(sample, DATE_FORMATS)
    candidates = [f for f, count in read.items() if count]
    known = {f: read[f] for f in candidates} if sample is present else None
    chosen: list[str] = []
    left = present
    while candidates and not left.is_empty() and len(chosen) < 3:
        counts = known or _reads(left, candidates)
        known = None
        best = max(counts, key=lambda f: counts[f])
        if counts[best] == 0:
            break
        chosen.append(best)
        if counts[best] == left.len():
            break
        left = left.filter(_parsed(left, best).is_null())
    return chosen


def ambiguous_dates(column: pl.Series, formats: list[str]) -> bool:
    """Whether swapping day and month in the chosen format reads the values just as well."""
    value = pl.col(column.name)
    for fmt in formats:
        if "%d" in fmt and "%m" in fmt and not fmt.startswith("%Y"):
            swapped = fmt.replace("%d", "%?").replace("%m", "%d").replace("%?", "%m")
            as_swapped, as_chosen = (
                column.to_frame()
                .select(
                    _strptime(value, swapped).drop_nulls().len().alias("swapped"),
                    _strptime(value, fmt).drop_nulls().len().alias("chosen"),
                )
                .row(0)
            )
            if as_swapped == as_chosen:
                return True
    return False


def _strptime(text: pl.Expr, fmt: str) -> pl.Expr:
    """Values read with one date format; what it does not read becomes null."""
    return text.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)


def _parsed(column: pl.Series, fmt: str) -> pl.Series:
    return column.to_frame().select(_strptime(pl.col(column.name), fmt)).to_series()


def _reads(column: pl.Series, formats: Sequence[str]) -> dict[str, int]:
    """How many values each format reads, all formats in one query: on a wide file the
    cost of a query per format and column, not the parsing, was most of the read."""
    counts = column.alias(_VALUE).to_frame().select(_read_counts(tuple(formats)))
    return dict(zip(formats, counts.row(0), strict=True))


@functools.cache
def _read_counts(formats: tuple[str, ...]) -> tuple[pl.Expr, ...]:
    """`_reads`' query, built once per list of formats: building its expressions took
    longer than running them on a small file."""
    value = pl.col(_VALUE)
    return tuple(
        _strptime(value, fmt).drop_nulls().len().alias(str(i)) for i, fmt in enumerate(formats)
    )


def as_dates(column: pl.Series, formats: list[str]) -> pl.Series:
    """The column parsed with each format in turn (the first that reads a value wins)."""
    value = pl.col(column.name)
    parsed = column.to_frame().select(pl.coalesce([_strptime(value, fmt) for fmt in formats]))
    dates = parsed.to_series().alias(column.name)
    return dates if any("%H" in fmt for fmt in formats) else dates.cast(pl.Date)


def booleans(column: pl.Series) -> pl.Series:
    lower = column.str.to_lowercase()
    truth = lower.is_in(list(TRUE_WORDS))
    return truth.set(~lower.is_in(_BOOL_LIST), None)


@dataclass(frozen=True)
class Typed:
    """A column after typing, the date formats it was read with, and what did not fit."""

    column: pl.Series
    date_formats: list[str]
    warnings: list[ReadWarning]


def type_column(column: pl.Series, locale: Locale, given_dates: str | None) -> Typed:
    """A text column as numbers, booleans or dates when its values say so; else text."""
    text = clean_text(column)
    present = text.drop_nulls() if text.null_count() else text
    if present.is_empty():
        return Typed(text, [], [])
    if given_dates:
        return _fitted(text, as_dates(text, [given_dates]), "date", [given_dates], force=True)
    sample = spread_sample(present)
    yes_no, readable, digits = _first_look(sample, locale)
    if yes_no and present.str.to_lowercase().n_unique() <= 2:
        return Typed(booleans(text), [], [])
    numeric = fits(2 * readable, sample.len())
    as_numbers = numbers(text, locale) if numeric else None
    if as_numbers is not None and fits(_present(as_numbers), present.len()):
        if _written_as_integers(text.filter(as_numbers.is_not_null()), locale):
            as_numbers = as_numbers.cast(pl.Int64)
        return _fitted(text, as_numbers, "number", [])
    formats = date_formats(present, sample) if digits else []
    if formats:
        dates = as_dates(text, formats)
        if fits(_present(dates), present.len()):
            typed = _fitted(text, dates, "date", formats)
            if ambiguous_dates(present, formats):
                typed.warnings.append(
                    ReadWarning(
                        kind="ambiguous_dates",
                        column=column.name,
                        message=f"{column.name}: no day passes 12, so day and month can't be "
                        f"told apart; read as {formats[0]} (set read_options.date_formats "
                        "to change it)",
                    )
                )
            return typed
    return Typed(text, [], [])


def _first_look(sample: pl.Series, locale: Locale) -> tuple[bool, int, bool]:
    """Whether every sampled value is a yes/no word, how many read as numbers, and whether
    the first 20 all have a digit (no date without one): one query, where each question
    used to be its own, and on a small file the queries, not the work, were the cost."""
    value = pl.col(sample.name)
    yes_no, readable, digits = (
        sample.to_frame()
        .select(
            value.str.to_lowercase().is_in(_BOOL_LIST).all().alias("yes_no"),
            _number(value, locale).drop_nulls().len().alias("readable"),
            value.head(20).str.contains(r"\d").all().alias("digits"),
        )
        .row(0)
    )
    return bool(yes_no), int(readable), bool(digits)


def _written_as_integers(text: pl.Series, locale: Locale) -> bool:
    """Every number written without a decimal part (and small enough for 64 bits)."""
    digits = pl.col(text.name).str.replace_all(r"[\s\u00a0\u202f]", "")
    if locale.thousands.strip():
        digits = digits.str.replace_all(re.escape(locale.thousands), "")
    return bool(text.to_frame().select(digits.str.contains(r"^[-+]?\d{1,18}$").all()).item())


def _present(column: pl.Series) -> int:
    """How many values a column has: its metadata, where `drop_nulls` would be a query.

    A typed column is missing wherever its text is (a parse of nothing is nothing), so
    the values a typing lost are the difference of two of these."""
    return column.len() - column.null_count()


def _fitted(
    text: pl.Series, typed: pl.Series, kind: str, formats: list[str], *, force: bool = False
) -> Typed:
    """The typed column, and a warning counting the present values it could not read."""
    present = _present(text)
    count = present - _present(typed)
    if count and not force and not fits(present - count, present):
        return Typed(text, [], [])
    warnings = []
    if count:
        lost = text.is_not_null() & typed.is_null()
        examples = text.filter(lost).unique(maintain_order=True).head(EXAMPLES).to_list()
        noun = "a number" if kind == "number" else "a date"
        warnings.append(
            ReadWarning(
                kind=f"not_{kind}",
                column=text.name,
                count=count,
                examples=[str(e)[:80] for e in examples],
                message=f"{text.name}: {count} value(s) are not {noun} and were left empty "
                f"(e.g. {', '.join(repr(str(e)[:40]) for e in examples[:3])})",
            )
        )
    return Typed(typed.alias(text.name), formats, warnings)
