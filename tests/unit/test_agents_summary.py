"""Replies after an execution: per kind of result, the few things that matter, with numbers.

Each result is built with its realm's own model, so the summarizer reads the real shape."""

from typing import Any

from activities.agents.summary import summarize
from activities.realms.compare import Comparison, Measure, SchemaDifference
from activities.realms.findings import FileInsights, Finding, LeftOut
from activities.realms.insights import Insights, Profiles
from activities.realms.profile import ColumnProfile, FileProfile, Rule
from activities.realms.query import QueryResult
from activities.realms.reading.options import ReadWarning
from models.agents import SummaryInput
from models.intents import Intent
from models.query import Query

WARNING = ReadWarning(
    kind="not_number",
    column="bill_length_mm",
    count=2,
    message="2 values of bill_length_mm are not a number (NA, n/a) and were left empty",
)


def _said(name: str, result: Any, status: str = "completed", error: str | None = None) -> str:
    request = SummaryInput(
        agent="insights_liaison",
        intent=Intent(name=name),
        status=status,
        result=result.model_dump(mode="json") if result is not None else None,
        error_message=error,
    )
    return summarize(request).text


def _profile(name: str, rows: int, score: float) -> FileProfile:
    return FileProfile(
        file_id=name,
        name=name,
        rows=rows,
        columns=7,
        duplicate_rows=3,
        quality_score=score,
        rules=[
            Rule(name="completeness", score=97.9, detail="2.1 % of cells are empty"),
            Rule(name="validity", score=96.0, detail="2 values did not fit their column's type"),
        ],
        column_profiles=[
            ColumnProfile(name="sex", type="text", null_rate=0.032, distinct=2),
            ColumnProfile(name="island", type="text", null_rate=0.0, distinct=3),
        ],
        warnings=[WARNING],
    )


def test_a_profile_names_the_score_the_weakest_rule_the_gaps_and_the_warnings() -> None:
    text = _said(
        "profile_data", Profiles(profiles=[_profile("penguins.csv", 1461, 99.2)], summary="x")
    )
    assert "penguins.csv has 1,461 rows and 7 columns, with a quality score of 99.2/100." in text
    assert "The weakest part is validity at 96.0/100: 2 values did not fit" in text
    assert "sex is empty in 3% of rows." in text
    assert "3 rows are exact duplicates." in text
    assert "the reader flagged 1 thing: 2 values of bill_length_mm are not a number" in text
    assert text.endswith("?")
    assert not text.startswith("Done")


def test_several_profiles_name_the_weakest_file() -> None:
    result = Profiles(
        profiles=[_profile("a.csv", 10, 95.0), _profile("b.csv", 20, 80.5)], summary="x"
    )
    text = _said("profile_data", result)
    assert "b.csv has 20 rows" in text
    assert "The weakest part of b.csv is validity" in text
    assert "compare the files side by side?" in text


def test_findings_lead_with_the_strongest_two() -> None:
    findings = [
        Finding(kind="correlation", sentence=f"Finding {i} with r = 0.{9 - i}.", numbers={})
        for i in range(3)
    ]
    result = Insights(
        files=[
            FileInsights(
                file_id="p",
                name="penguins.csv",
                findings=findings,
                more_findings=4,
                tests=40,
                left_out=[LeftOut(column="id", reason="an identifier")],
            )
        ],
        summary="x",
    )
    text = _said("generate_insights", result)
    assert text.startswith("I found 3 things worth knowing in penguins.csv (4 more not shown).")
    assert "Finding 0 with r = 0.9. Finding 1 with r = 0.8." in text
    assert "Finding 2" not in text
    assert "I left 1 column out (id: an identifier)." in text


def test_no_findings_says_how_many_tests_found_nothing() -> None:
    empty = FileInsights(file_id="p", name="flat.csv", findings=[], tests=12)
    text = _said("generate_insights", Insights(files=[empty], summary="x"))
    assert text.startswith("Nothing in flat.csv stands out: none of 12 tests held up")


def test_a_comparison_names_the_better_file_its_scores_and_the_columns_that_differ() -> None:
    measure = Measure(
        name="completeness",
        meaning="share of cells filled",
        values={"a.csv": 0.99, "b.csv": 0.81},
        better="higher",
        best="a.csv",
        verdict="a.csv is more complete: 99 % of cells filled against 81 %",
    )
    result = Comparison(
        files=["a.csv", "b.csv"],
        rows={"a.csv": 10, "b.csv": 12},
        columns={"a.csv": 3, "b.csv": 4},
        quality_scores={"a.csv": 98.5, "b.csv": 81.0},
        measures=[measure],
        schema_differences=[
            SchemaDifference(file="b.csv", added=["note"], removed=["total"], retyped=[])
        ],
        better="a.csv",
        summary="x",
    )
    text = _said("compare_data_quality", result)
    assert text.startswith(
        "a.csv is the better file overall (quality a.csv 98.5/100, b.csv 81.0/100)."
    )
    assert "a.csv is more complete: 99 % of cells filled against 81 %." in text
    assert "b.csv adds note and drops total." in text


def test_an_answer_is_said_first_with_its_warnings() -> None:
    result = QueryResult(
        answer="Gentoo has the highest mean body mass: 5,076.02 g.",
        columns=["species", "mean"],
        rows=[["Gentoo", 5076.02]],
        row_count=3,
        truncated=False,
        sql="SELECT 1",
        warnings=[WARNING.model_dump()],
        query=Query(shape="sql", sql="SELECT 1"),
    )
    text = _said("query_data", result)
    assert text.startswith("Gentoo has the highest mean body mass: 5,076.02 g.")
    assert "not a number" in text


def test_a_workflow_names_its_steps_actors_and_decisions() -> None:
    result = {
        "title": "Refunds",
        "steps": 4,
        "decisions": 1,
        "loops": 0,
        "actors": ["customer", "agent", "manager"],
        "warnings": [],
        "summary": "x",
    }
    request = SummaryInput(
        agent="journey_liaison", intent=Intent(name="x"), status="completed", result=result
    )
    text = summarize(request).text
    assert text.startswith(
        "Refunds is now a workflow of 4 steps, done by customer, agent and manager, "
        "with 1 decision and 0 loops."
    )


def test_a_failure_says_its_cause_and_what_to_do() -> None:
    cause = "expenses.md is text, not a table of data; upload a CSV, JSON or Excel file"
    text = _said("profile_data", None, status="failed", error=cause)
    assert text == (
        f"Profile data didn't finish: {cause}. Fix that and say “retry that”, or pick another file."
    )
