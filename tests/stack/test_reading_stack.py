"""The reader through the real stack: a bomb refused for good, the worker unharmed, and
real-world files read with detected or hand-set `read_options`."""

from pathlib import Path

from activities.realms.content import FileSummary
from activities.realms.reading.options import ReadOptions
from tests.bombs import shared_strings_bomb
from tests.client import Api
from tests.reading_corpus import Case, assert_reading, cases

SHAPES = ("wetter_de.csv", "weather_book.xlsx", "ohlc_wrapped.json", "airports_unicode.txt")


def _run(api: Api, name: str, params: dict[str, object]) -> dict[str, object]:
    return api.wait_execution(api.start(name, params), timeout=120)


def _case(name: str) -> Case:
    return next(c for c in cases() if c.name == name)


def test_a_gibibyte_xlsx_is_refused_once_and_the_worker_goes_on(api: Api, tmp_path: Path) -> None:
    bomb = shared_strings_bomb(tmp_path / "report.xlsx")
    ref = api.upload("report.xlsx", bomb.read_bytes(), "application/octet-stream")
    failed = _run(api, "ingest_file", {"file_id": ref["file_id"]})
    assert failed["status"] == "failed"
    error = failed["error"]
    assert isinstance(error, dict)
    assert (error["type"], error["retryable"]) == ("unsupported_file", False)
    assert "report.xlsx is refused" in error["message"]
    assert failed["attempts"] == 1
    book = _case("weather_book.xlsx")
    ok = api.upload(book.name, book.data, "application/octet-stream")
    assert _run(api, "ingest_file", {"file_id": ok["file_id"]})["status"] == "completed"


def test_real_world_shapes_read_through_the_stack(api: Api) -> None:
    for name in SHAPES:
        case = _case(name)
        declared = "application/octet-stream" if name.endswith(".xlsx") else "text/plain"
        ref = api.upload(case.name, case.data, declared)
        done = _run(api, "ingest_file", {"file_id": ref["file_id"]})
        assert done["status"] == "completed", done
        assert_reading(FileSummary.model_validate(done["result"]), case.expect)


def test_read_options_set_by_hand_reach_every_realm(api: Api) -> None:
    """ "read the Small sheet", then profile and insights with the same options."""
    case = _case("weather_book.xlsx")
    ref = api.upload(case.name, case.data, "application/octet-stream")
    options = ReadOptions(sheet="Small").model_dump(exclude_none=True)
    summary = _run(api, "ingest_file", {"file_id": ref["file_id"], "read_options": options})
    result = summary["result"]
    assert isinstance(result, dict)
    assert (result["row_count"], result["read_options"]["sheet"]) == (19, "Small")
    profile = _run(api, "profile_data", {"file_ids": [ref["file_id"]], "read_options": options})
    profiled = profile["result"]
    assert isinstance(profiled, dict)
    assert profiled["profiles"][0]["rows"] == 19
    insights = _run(
        api, "generate_insights", {"file_ids": [ref["file_id"]], "read_options": options}
    )
    assert insights["status"] == "completed"
    wrong = _run(api, "ingest_file", {"file_id": ref["file_id"], "read_options": {"sheet": "Nope"}})
    error = wrong["error"]
    assert isinstance(error, dict)
    assert error["type"] == "unsupported_file"
    assert "Data, Small" in error["message"] or "Notes, Data, Small" in error["message"]


def test_warnings_reach_the_result_and_the_reply(api: Api) -> None:
    case = _case("weather_bad_values.csv")
    ref = api.upload(case.name, case.data)
    with api.socket() as conn:
        events = conn.turn("Upload a file", [ref["file_id"]])
    completed = next(e for e in events if e["type"] == "execution.completed")
    warnings = completed["result"]["warnings"]
    assert [(w["kind"], w["column"], w["count"]) for w in warnings] == [
        ("not_number", "precipitation", 4)
    ]
    assert "12mm" in warnings[0]["examples"]
    replies = [e["text"] for e in events if e["type"] == "agent.message"]
    assert any("not a number" in text for text in replies), replies


def test_a_comparison_says_how_each_file_was_read(api: Api) -> None:
    """compare_data_quality carries `read_options` and `warnings` per file, as ingest does."""
    ids = []
    for name in ("wetter_de.csv", "weather_bad_values.csv"):
        case = _case(name)
        ids.append(api.upload(case.name, case.data)["file_id"])
    done = _run(api, "compare_data_quality", {"file_ids": ids})
    assert done["status"] == "completed", done
    result = done["result"]
    assert isinstance(result, dict)
    used = result["read_options"]
    assert (used["wetter_de.csv"]["delimiter"], used["wetter_de.csv"]["decimal"]) == (";", ",")
    assert used["wetter_de.csv"]["encoding"] in ("cp1252", "windows-1252")
    assert used["weather_bad_values.csv"]["delimiter"] == ","
    warnings = result["warnings"]
    assert warnings["wetter_de.csv"] == []
    assert [(w["kind"], w["column"], w["count"]) for w in warnings["weather_bad_values.csv"]] == [
        ("not_number", "precipitation", 4)
    ]
    assert "weather_bad_values.csv: 1 warning" in result["summary"]
