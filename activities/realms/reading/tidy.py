"""From parsed cells to the table a person sees: names, padding, and typed columns."""

from dataclasses import dataclass, field

import polars as pl

from activities.realms.reading.options import ReadWarning
from activities.realms.reading.values import Locale, type_column

QUOTES = "\"'`\u201c\u201d\u2018\u2019"


@dataclass(frozen=True)
class Names:
    """Column names from a header row; which were made up, and what was changed."""

    names: list[str]
    generated: set[str] = field(default_factory=set)
    warnings: list[ReadWarning] = field(default_factory=list)


def header_names(header: list[str], width: int) -> Names:
    """Names with spaces and stray quotes trimmed, empties named, repeats numbered."""
    cells = [*(header[:width]), *([""] * (width - len(header)))]
    names: list[str] = []
    generated: set[str] = set()
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        name = cell.strip().strip(QUOTES).strip()
        if not name:
            name = f"column_{index + 1}"
            generated.add(name)
        base, count = name, 1
        while name in names:
            count += 1
            name = f"{base}_{count}"
        if count > 1:
            repeated.append(base)
        names.append(name)
    warnings = []
    if repeated:
        unique = sorted(set(repeated))
        warnings.append(
            ReadWarning(
                kind="duplicate_header",
                count=len(repeated),
                examples=unique[:5],
                message=f"repeated column names were numbered: {', '.join(unique[:5])} "
                "(the second is name_2)",
            )
        )
    return Names(names, generated, warnings)


def tidy(frame: pl.DataFrame, generated: set[str]) -> pl.DataFrame:
    """Unnamed empty columns (trailing delimiters, sheet padding) and blank rows dropped.

    Blank lines and rows of empty fields carry nothing, so they go without a warning.
    """
    padding = [n for n in frame.columns if n in generated and frame[n].null_count() == frame.height]
    frame = frame.drop(padding)
    if not frame.width or not frame.height:
        return frame
    blank = frame.select(
        pl.all_horizontal(
            pl.col(pl.String).is_null() | (pl.col(pl.String).str.strip_chars() == ""),
            pl.exclude(pl.String).is_null(),
        )
    ).to_series()
    return frame.filter(~blank) if blank.any() else frame


def typed_frame(
    frame: pl.DataFrame, locale: Locale, given: dict[str, str]
) -> tuple[pl.DataFrame, dict[str, str], list[ReadWarning]]:
    """Every text column typed from its values; the date formats used; what didn't fit."""
    columns = []
    formats: dict[str, str] = {}
    warnings: list[ReadWarning] = []
    for column in frame.iter_columns():
        if column.dtype == pl.String:
            typed = type_column(column, locale, given.get(column.name))
            columns.append(typed.column)
            if typed.date_formats:
                formats[column.name] = " | ".join(typed.date_formats)
            warnings.extend(typed.warnings)
        elif isinstance(column.dtype, (pl.List, pl.Array, pl.Struct, pl.Object)):
            columns.append(_as_json_text(column))
        elif column.dtype in (pl.Int128, pl.UInt128):
            columns.append(column.cast(pl.String))  # past 64 bits: identifiers, kept exact
        else:
            columns.append(column)
    return pl.DataFrame(columns), formats, warnings


def _as_json_text(column: pl.Series) -> pl.Series:
    """A nested column (lists, structs) as one JSON text per cell: kept, never a crash."""
    import json

    values = [None if v is None else json.dumps(v, default=str) for v in column.to_list()]
    return pl.Series(column.name, values, dtype=pl.String)
