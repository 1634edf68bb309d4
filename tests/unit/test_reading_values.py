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
