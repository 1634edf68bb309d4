"""Content realm on real files: detection, parsing, schema, and clear refusals."""

import csv
import io
import json
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.catalog.content import DescribeFileParams, IngestFileParams, ListFilesParams
from activities.realms.content import describe_file, ingest_file, list_files
from tests.realm_files import SALES_CSV, SOP_MD, Files, xlsx


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def test_csv_is_parsed_with_schema_and_samples(files: Files) -> None:
    ref = files.add("sales.csv", SALES_CSV)
    summary = ingest_file(files.ctx, IngestFileParams(file_id=ref.file_id))
    expected = list(csv.DictReader(io.StringIO(SALES_CSV)))
    assert summary.kind == "csv"
    assert summary.row_count == len(expected)
    assert [c.name for c in summary.columns] == list(expected[0])
    assert {c.name: c.type for c in summary.columns} == {
        "region": "text",
        "amount": "integer",  # integers with a gap are still integers
        "units": "integer",
        "date": "datetime",
    }
    assert summary.sample_rows[0]["region"] == "north"
    assert len(summary.sample_rows) == 5


def test_ingest_twice_keeps_one_record(files: Files) -> None:
    ref = files.add("sales.csv", SALES_CSV)
    ingest_file(files.ctx, IngestFileParams(file_id=ref.file_id))
    ingest_file(files.ctx, IngestFileParams(file_id=ref.file_id))
    records = list(files.store.local_path(ref).parent.glob("*.summary.json"))
    assert len(records) == 1


def test_tsv_json_lines_json_and_xlsx(files: Files) -> None:
    tsv = files.add("t.tsv", "a\tb\n1\tx\n2\ty\n")
    lines = files.add("l.jsonl", '{"a": 1, "b": "x"}\n{"a": 2, "b": null}\n{"a": 3, "b": "z"}\n')
    array = files.add("a.json", json.dumps([{"a": 1}, {"a": 2}]))
    book = files.add("b.xlsx", xlsx([["name", "score"], ["ann", 3], ["bob", 4]]))
    got = {
        ref.name: describe_file(files.ctx, DescribeFileParams(file_id=ref.file_id))
        for ref in (tsv, lines, array, book)
    }
    assert [(s.kind, s.row_count, s.column_count) for s in got.values()] == [
        ("tsv", 2, 2),
        ("jsonl", 3, 2),
        ("json", 2, 1),
        ("xlsx", 2, 2),
    ]
    assert got["b.xlsx"].sample_rows[1] == {"name": "bob", "score": 4}


def test_text_is_described_with_headings(files: Files) -> None:
    ref = files.add("sop.md", SOP_MD)
    summary = describe_file(files.ctx, DescribeFileParams(file_id=ref.file_id))
    assert summary.kind == "text"
    assert summary.line_count == len(SOP_MD.splitlines())
    assert summary.word_count == len(SOP_MD.split())
    assert summary.headings == ["Refund procedure", "Intake", "Payout"]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("empty.csv", b"", "empty_file"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "corrupt_file"),
        ("blob.bin", b"\x00\x01\x02\x03binary", "unsupported_file"),
        ("bad.json", b'[{"a": 1}, {"a": ', "corrupt_file"),
    ],
)
def test_bad_files_fail_clearly_and_for_good(
    files: Files, name: str, data: bytes, kind: str
) -> None:
    ref = files.add(name, data)
    with pytest.raises(ApplicationError) as err:
        ingest_file(files.ctx, IngestFileParams(file_id=ref.file_id))
    assert err.value.type == kind
    assert err.value.non_retryable
    assert name in err.value.message


def test_another_users_file_is_unknown(files: Files) -> None:
    ref = files.add("sales.csv", SALES_CSV, user="someone-else")
    with pytest.raises(ApplicationError) as err:
        describe_file(files.ctx, DescribeFileParams(file_id=ref.file_id))
    assert err.value.type == "unknown_file"


def test_list_files(files: Files) -> None:
    refs = [files.add("a.csv", SALES_CSV), files.add("b.md", SOP_MD)]
    listed = list_files(files.ctx, ListFilesParams(file_ids=[r.file_id for r in refs]))
    assert [f.name for f in listed.files] == ["a.csv", "b.md"]
