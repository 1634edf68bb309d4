"""A header of years (a wide table's periods) is found; a headerless row of numbers is kept.

The corpus pins the real files (tests/reading_corpus.py: fertility.csv,
fertility_download.csv, firm_years_no_header.csv); these pin each part of the rule in
`dialect._years_name_columns` at its edge.
"""

import pytest

from activities.realms.reading.dialect import sniff

RATES = ["Aruba,4.82,4.655", "Andorra,,", "Afghanistan,7.671,7.671", "Angola,7.316,7.354"]


def _has_header(first: str, body: list[str] = RATES) -> bool:
    return sniff("\n".join([first, *body]) + "\n", None, None, None).has_header


@pytest.mark.parametrize(
    "first",
    ["Country,1960,1961", "Country,1000,2999", "Country,2999,1000", "Country,,1961"],
)
def test_distinct_years_over_rates_are_a_header(first: str) -> None:
    assert _has_header(first)


def test_one_year_over_rates_is_a_header() -> None:
    assert _has_header("Country,Name,2013", ["Aruba,x,1.69", "Angola,y,6.08", "Chad,z,6.2"])


@pytest.mark.parametrize(
    ("first", "why"),
    [
        ("Country,0999,1961", "999 is before the first year"),
        ("Country,1960,3000", "3000 is past the last year"),
        ("Country,1960,1960", "a repeated year names no column"),
        ("Country,1960,4.5", "another number in the row: a row of values"),
        ("Country,1960,2020-01-01", "a date in the row: a row of values"),
    ],
)
def test_other_first_rows_of_numbers_are_data(first: str, why: str) -> None:
    assert not _has_header(first), why


def test_years_with_years_below_them_are_data() -> None:
    body = [*RATES[:3], "Angola,7.316,2001"]
    assert not _has_header("Country,1960,1961", body)
