"""The typing rules at their edges: 90 % of a column's values decide its type."""

import polars as pl

from activities.realms.reading.values import Locale, number_locale, type_column

PLAIN = Locale(".", "")


def _typed(values: list[str]) -> tuple[str, list[int]]:
    typed = type_column(pl.Series("x", values), PLAIN, None)
    return str(typed.column.dtype), [w.count for w in typed.warnings]


def test_nine_numbers_in_ten_make_a_number_column_with_one_warning() -> None:
    assert _typed([*(str(i) for i in range(9)), "oops"]) == ("Int64", [1])


def test_eight_numbers_in_ten_stay_text_without_a_warning() -> None:
    assert _typed([*(str(i) for i in range(8)), "oops", "nope"]) == ("String", [])


def test_missing_markers_are_not_counted_against_the_type() -> None:
    assert _typed([*(str(i) for i in range(8)), "k.A.", "#N/A"]) == ("Int64", [])


def test_european_thousands_are_never_a_thousand_times_too_small() -> None:
    locale = number_locale(["1.234", "12,5", "7"], ";")
    typed = type_column(pl.Series("x", ["1.234", "12,5", "7"]), locale, None)
    assert typed.column.to_list() == [1234.0, 12.5, 7.0]


def test_a_lone_grouped_number_in_a_semicolon_file_is_read_as_thousands_and_doubted() -> None:
    locale = number_locale(["1.250", "3.400"], ";")
    assert (locale.decimal, locale.thousands) == (",", ".")
    assert locale.doubt is not None


def _dates(values: list[str]) -> list[str]:
    return type_column(pl.Series("x", values), PLAIN, None).date_formats


def _day_first_then_iso(rows: int) -> list[str]:
    """Day-first dates (days past 12, so no other format reads them) in the first 500
    rows and 600 more; ISO dates in the rest, which outnumber them in the column (the
    spread sample counts the first 500 twice, so there day-first is ahead)."""
    day_first = [f"{13 + i % 15}/04/2024" for i in range(1100)]
    iso = [f"2024-04-{1 + i % 28:02d}" for i in range(rows - 1100)]
    mixed = [v for pair in zip(iso[:600], day_first[500:], strict=True) for v in pair]
    return [*day_first[:500], *mixed, *iso[600:]]


def test_the_whole_column_not_its_sample_picks_the_first_date_format() -> None:
    """2,501 values: the sample is not the column, so the column's counts decide."""
    assert _dates(_day_first_then_iso(2501)) == ["%Y-%m-%d", "%d/%m/%Y"]


def test_a_column_that_is_its_own_sample_is_counted_once() -> None:
    """2,500 values: the sample is the column; the same counts pick the same format."""
    assert _dates(_day_first_then_iso(2500)) == ["%Y-%m-%d", "%d/%m/%Y"]


def test_a_single_date_in_a_second_format_still_gets_it() -> None:
    """Formats are looked for until no value is left: one left is not none left."""
    iso = [f"2024-04-{day:02d}" for day in range(1, 11)]
    assert _dates([*iso, "25/04/2024"]) == ["%Y-%m-%d", "%d/%m/%Y"]
