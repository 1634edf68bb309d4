"""Every shape of the corpus through ingest_file and profile_data, read as a user expects."""

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.realms.content import FileSummary, IngestFileParams, ingest_file
from activities.realms.insights import ProfileDataParams, profile_data
from tests.reading_corpus import Case, Expect, cases
from tests.realm_files import Files

CASES = cases()
DELIMITED = ("csv", "tsv")


def test_the_corpus_has_every_shape() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_shape_reads_as_expected(tmp_path: Path, case: Case) -> None:
    files = Files(tmp_path)
    ref = files.add(case.name, case.data)
    summary = ingest_file(
        files.ctx, IngestFileParams(file_id=ref.file_id, read_options=case.options)
    )
    assert_reading(summary, case.expect)
    params = ProfileDataParams(file_ids=[ref.file_id], read_options=case.options)
    if case.expect.rows == 0:
        with pytest.raises(ApplicationError) as err:
            profile_data(files.ctx, params)
        assert err.value.type == "empty_file"
        assert "no rows" in err.value.message
        return
    [profile] = profile_data(files.ctx, params).profiles
    assert (profile.rows, profile.columns) == (case.expect.rows, case.expect.width)
    assert profile.read_options == summary.read_options
    assert {w.kind for w in profile.warnings} == case.expect.warnings


def assert_reading(summary: FileSummary, expect: Expect) -> None:
    """The summary against the expected reading, field by field."""
    used = summary.read_options
    assert used is not None
    assert summary.kind == expect.kind
    assert summary.row_count == expect.rows
    assert summary.column_count == expect.width
    names = [c.name for c in summary.columns]
    assert names[: len(expect.columns)] == expect.columns
    types = {c.name: c.type for c in summary.columns}
    assert {k: types[k] for k in expect.types} == expect.types
    if expect.values:
        first = summary.sample_rows[0]
        assert {k: first[k] for k in expect.values} == pytest.approx(expect.values)
    assert {w.kind for w in summary.warnings} == expect.warnings, summary.warnings
    assert (used.date_formats or {}) == expect.date_formats
    if expect.kind in (*DELIMITED, "xlsx"):
        assert (used.header_row, used.has_header) == (expect.header_row, expect.has_header)
    assert (used.sheet, used.json_path) == (expect.sheet, expect.json_path)
    if expect.kind in DELIMITED:
        assert (used.delimiter, used.quote_char) == (expect.delimiter, expect.quote_char)
        assert (used.decimal, used.thousands) == (expect.decimal, expect.thousands)
    if expect.kind in (*DELIMITED, "json", "jsonl"):
        assert used.encoding in expect.encodings
