"""One rule says whether a file is a table or prose, for the agents (which files an
intent takes) and the reader alike: Markdown is prose, a .txt is told by its lines."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from models.files import FileRef, file_kind
from storage.files import LocalFileStore

SOP = (
    "Refunds\n\n1. The clerk receives the request, checks the receipt and logs it.\n"
    "2. If the amount is over 500, the manager approves it.\n"
    "3. Finance pays the refund within five days.\n"
)


def _rows(alike: int, odd: int) -> bytes:
    """A header of three fields, `alike` rows that split the same, `odd` that do not."""
    return ("a,b,c\n" + "1,2,3\n" * (alike - 1) + "1,2\n" * odd).encode()


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("refunds.md", b"a\tb\n1\t2\n3\t4\n", "text"),
        ("refunds.MARKDOWN", b"", "text"),
        ("refunds.txt", SOP.encode(), "text"),
        ("export.txt", "a\tb\n1\t2\n3\t4\n".encode("utf-16"), "table"),
        ("export.txt", b"\xef\xbb\xbfname;amount\nann;1,5\nbob;2,5\n", "table"),
        ("report.txt", "name,city\nZoë,Köln\nAnn,Paris\n".encode("cp1252"), "table"),
        ("one-line.txt", b"a,b,c\n", "text"),
        ("empty.txt", b"", "text"),
        ("data.csv", SOP.encode(), "table"),
        ("data.xlsx", b"PK\x03\x04", "table"),
    ],
)
def test_a_files_kind(name: str, head: bytes, kind: str) -> None:
    assert file_kind(name, head) == kind


def test_a_txt_is_a_table_from_four_rows_in_five_that_split_alike() -> None:
    """The edge of the 80 % rule: 8 of 10 lines alike is a table, 7 of 10 is not."""
    assert file_kind("t.txt", _rows(alike=8, odd=2)) == "table"
    assert file_kind("t.txt", _rows(alike=7, odd=3)) == "text"


def test_a_head_cut_inside_a_character_is_still_read_as_utf8() -> None:
    head = "name,city\nZoë,Köln\nAnn,Paris\nLéa,Liège".encode()
    assert file_kind("cut.txt", head[:-1]) == "table"


def test_a_ref_recorded_before_kinds_is_told_by_its_name() -> None:
    older = {"file_id": "f" * 32, "size": 1, "sha256": "0" * 64, "content_type": ""}
    assert FileRef.model_validate({**older, "name": "sop.txt"}).kind == "text"
    assert FileRef.model_validate({**older, "name": "sales.csv"}).kind == "table"
    assert FileRef.model_validate({**older, "name": "sop.txt", "kind": "table"}).kind == "table"


def test_an_upload_is_given_its_kind_from_its_first_bytes(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path, 10_000)

    async def save(name: str, content: bytes) -> FileRef:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(content), 7):
                yield content[start : start + 7]

        return await store.save("ann", name, "text/plain", chunks())

    async def run() -> tuple[FileRef, FileRef]:
        return await save("export.txt", b"a\tb\n1\t2\n3\t4\n"), await save("sop.txt", SOP.encode())

    table, prose = asyncio.run(run())
    assert (table.kind, prose.kind) == ("table", "text")
    assert store.get("ann", table.file_id).kind == "table"
