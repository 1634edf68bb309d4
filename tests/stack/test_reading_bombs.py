"""Spreadsheet and zip bombs are refused within seconds, for good, in a sentence."""

import os
import zipfile
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.realms.reading.limits import ReadLimits
from activities.realms.reading.reader import read_table
from activities.realms.runner import Cancelled
from tests.bombs import MIB, broken_xml, cells_bomb, lying, shared_strings_bomb
from tests.reading_corpus import weather, write, xlsx_book

NO_RATIO = {"max_zip_ratio": 1e12}


def _refused(path: Path, limits: ReadLimits | None = None) -> ApplicationError:
    with pytest.raises(ApplicationError) as err:
        read_table(path, path.name, limits=limits)
    assert err.value.non_retryable
    assert path.name in err.value.message
    return err.value


def test_shared_strings_expanding_to_a_gibibyte_are_refused(tmp_path: Path) -> None:
    bomb = shared_strings_bomb(tmp_path / "strings.xlsx")
    assert bomb.stat().st_size < 2 * MIB
    err = _refused(bomb)
    assert err.type == "unsupported_file"
    assert "512 MiB" in err.message and "CSV" in err.message


def test_millions_of_cells_are_refused_by_their_ratio(tmp_path: Path) -> None:
    err = _refused(cells_bomb(tmp_path / "cells.xlsx", 6_000_000))
    assert err.type == "unsupported_file"
    assert "zip bomb" in err.message


def test_cells_are_counted_in_the_xml_whatever_the_dimension_says(tmp_path: Path) -> None:
    """The limit's edge: 20,000 cells pass a 20,000-cell limit, 20,100 do not."""
    at_limit = cells_bomb(tmp_path / "at.xlsx", 20_000)
    read = read_table(at_limit, "at.xlsx", limits=ReadLimits(max_cells=20_000, **NO_RATIO))
    assert read.frame.height * read.frame.width == 20_000
    over = cells_bomb(tmp_path / "over.xlsx", 20_100)
    err = _refused(over, ReadLimits(max_cells=20_000, **NO_RATIO))
    assert "more than 20,000 cells" in err.message


def test_the_unpacked_size_limit_at_its_edge(tmp_path: Path) -> None:
    book = tmp_path / "weather.xlsx"
    book.write_bytes(xlsx_book([("Data", weather(), None)]))
    with zipfile.ZipFile(book) as archive:
        total = sum(m.file_size for m in archive.infolist())
    assert read_table(book, book.name, limits=ReadLimits(max_unzipped_bytes=total)).frame.height
    assert _refused(book, ReadLimits(max_unzipped_bytes=total - 1)).type == "unsupported_file"


def test_headers_that_lie_about_sizes_are_caught_while_inflating(tmp_path: Path) -> None:
    err = _refused(lying(shared_strings_bomb(tmp_path / "liar.xlsx", 64 * MIB)))
    assert err.type == "corrupt_file"


def test_a_zipped_csv_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "data.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("data.csv", "w") as out,
    ):
        for _ in range(40):
            out.write(b"0," * (MIB // 2))
    assert _refused(bomb, ReadLimits(max_unzipped_bytes=32 * MIB)).type == "unsupported_file"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("symphainy-read-*/unzipped-*"))


def test_broken_xml_is_corrupt_not_retried(tmp_path: Path) -> None:
    assert _refused(broken_xml(tmp_path / "broken.xlsx")).type == "corrupt_file"


def test_the_parsing_child_is_held_to_its_cpu_limit(tmp_path: Path) -> None:
    book = cells_bomb(tmp_path / "slow.xlsx", 3_000_000)
    err = _refused(book, ReadLimits(sheet_cpu_seconds=1, **NO_RATIO))
    assert err.type == "unsupported_file"
    assert "more memory or time" in err.message


def test_the_parsing_child_is_held_to_its_memory_limit(tmp_path: Path) -> None:
    book = cells_bomb(tmp_path / "big.xlsx", 3_000_000)
    err = _refused(book, ReadLimits(sheet_memory_bytes=64 * MIB, **NO_RATIO))
    assert "more memory or time" in err.message


def test_a_cancel_kills_the_parsing_child(tmp_path: Path) -> None:
    book = cells_bomb(tmp_path / "slow.xlsx", 3_000_000)
    reports = []

    def cancel_on_second_report(message: str, percent: float | None) -> None:
        reports.append(message)
        if len(reports) == 2:
            raise Cancelled("the execution was cancelled")

    others = set(_children())
    with pytest.raises(Cancelled):
        read_table(book, book.name, limits=ReadLimits(**NO_RATIO), progress=cancel_on_second_report)
    assert set(_children()) - others == set()


def _children() -> list[int]:
    """Live processes whose parent is this one (a stack's processes too, when the stack
    tests run in the same session: the test compares before and after)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_a_plain_workbook_still_reads(tmp_path: Path) -> None:
    book = tmp_path / "weather.xlsx"
    book.write_bytes(xlsx_book([("Data", weather(), None)]))
    assert read_table(book, book.name).frame.height == len(weather()) - 1
    assert write(weather())  # the corpus writer the bombs are compared with
