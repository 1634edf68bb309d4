"""Every shape of the corpus through ingest_file and profile_data, read as a user expects."""

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.catalog.content import IngestFileParams
from activities.catalog.insights import GenerateInsightsParams, ProfileDataParams
from activities.realms.content import ingest_file
from activities.realms.insights import generate_insights, profile_data
from tests.reading_corpus import Case, assert_reading, cases
from tests.realm_files import Files

CASES = cases()


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


def test_profiles_and_insights_name_the_read_warnings(tmp_path: Path) -> None:
    files = Files(tmp_path)
    case = next(c for c in CASES if c.name == "weather_bad_values.csv")
    ids = [files.add(case.name, case.data).file_id]
    profiled = profile_data(files.ctx, ProfileDataParams(file_ids=ids))
    assert "not a number" in profiled.summary
    found = generate_insights(files.ctx, GenerateInsightsParams(file_ids=ids))
    assert found.files[0].warnings[0].count == 4
    assert "not a number" in found.summary
