"""One module per liaison: the registry derives the guide's tables from them, refuses what
it could not route, and routes to a liaison registered in a test."""

import asyncio
from dataclasses import replace

import pytest

from activities.agents import guide
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import (
    InvalidLiaison,
    Label,
    Liaison,
    Liaisons,
    content,
    default_liaisons,
    insights,
    journey,
    smalltalk,
)
from activities.agents.liaisons.base import plan
from activities.agents.llm import guide_prompt
from activities.catalog import Catalog, default_catalog
from models.agents import LastExecution, Recommendation, Route, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm
from models.query import ColumnInfo, TableSchema

SALES = FileRef(file_id="a" * 32, name="sales.csv", size=1, sha256="0" * 64, content_type="")
SOP = FileRef(file_id="b" * 32, name="refunds.md", size=1, sha256="0" * 64, content_type="")


def _inventory(context: TurnContext, catalog: Catalog) -> Recommendation:
    """A test-only liaison: lists the session's files through the catalog's list_files."""
    return Recommendation(
        agent="content_liaison",
        text="Here is what you have.",
        intents=plan(catalog, "list_files", context.session_files, context),
    )


INVENTORY = Label(
    name="inventory",
    route=Route.LIAISON,
    pillars=(Realm.CONTENT,),
    description="list the files the user has",
    option="list your files",
    examples=(
        "which files do I have",
        "list my uploads",
        "list my files",
        "list everything I uploaded",
        "show me everything I uploaded",
        "what files are in my workspace",
        "inventory of my documents",
        "an inventory please",
        "what have I uploaded so far",
        "list what is stored",
        "which documents are stored",
        "enumerate my uploads",
    ),
)


def _registry(*extra: Label) -> Liaisons:
    liaisons = [
        Liaison(Realm.CONTENT, _inventory, (content.UPLOAD, INVENTORY, *extra)),
        insights.LIAISON,
        journey.LIAISON,
    ]
    return Liaisons(default_catalog(), liaisons, smalltalk.LABELS)


def test_a_liaison_registered_in_a_test_is_routed_to_and_recommends_from_the_catalog() -> None:
    registry = _registry()
    backend = OfflineBackend(ClassifierAnalyzer(liaisons=registry), registry)
    context = TurnContext(text="which files have I uploaded so far", session_files=[SALES, SOP])
    analysis = asyncio.run(guide.analyze(context, backend))
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.CONTENT)
    assert analysis.rationale.startswith("classified as inventory")
    [intent] = registry.recommend(Realm.CONTENT, context).intents
    assert (intent.name, intent.realm) == ("list_files", Realm.CONTENT)
    assert intent.params == {"file_ids": [SALES.file_id, SOP.file_id]}
    assert "inventory (list the files the user has)" in guide_prompt(registry)


def test_a_plan_without_examples_fails_at_registration() -> None:
    with pytest.raises(InvalidLiaison, match="no examples"):
        _registry(replace(INVENTORY, name="silent", examples=()))


def test_examples_without_a_plan_fail_when_the_classifier_is_built() -> None:
    examples = {**default_liaisons().examples(), "orphan": ["a label nobody routes"]}
    with pytest.raises(InvalidLiaison, match="without a plan"):
        ClassifierAnalyzer(examples=examples)


@pytest.mark.parametrize(
    ("label", "why"),
    [
        (replace(INVENTORY, name="x", pillars=(Realm.CONTENT, Realm.INSIGHTS)), "exactly one"),
        (replace(INVENTORY, name="x", route=Route.DIRECT), "no answer"),
        (replace(INVENTORY, name="x", route=Route.COLLABORATION), "nothing merges"),
        (replace(INVENTORY, name="clarify"), "reserved"),
        (replace(content.UPLOAD, name="inventory"), "twice"),
    ],
)
def test_a_label_the_guide_could_not_follow_fails_at_registration(label: Label, why: str) -> None:
    with pytest.raises(InvalidLiaison, match=why):
        _registry(label)


def test_a_label_routed_to_a_liaison_nobody_registered_fails() -> None:
    with pytest.raises(InvalidLiaison, match="unregistered"):
        Liaisons(default_catalog(), [journey.LIAISON], [*smalltalk.LABELS, insights.INSIGHTS])


def test_the_guides_tables_come_from_the_modules() -> None:
    registry = default_liaisons()
    assert set(registry.labels) == {
        "upload",
        "insights",
        "compare",
        "journey",
        "smalltalk",
        "out_of_scope",
    }
    assert "out_of_scope" not in registry.offered()
    assert registry.capabilities() == [
        "Upload a file (CSV, JSON, Excel or text)",
        "What insights can I get from my data?",
        "Compare my data quality across files",
        "Create a workflow from my SOP",
    ]


def _table(ref: FileRef, *columns: tuple[str, str]) -> TableSchema:
    cols = [ColumnInfo(name=name, type=kind) for name, kind in columns]
    return TableSchema(file_id=ref.file_id, name=ref.name, table="t", rows=3, columns=cols)


ORDERS = FileRef(file_id="c" * 32, name="orders.csv", size=1, sha256="0" * 64, content_type="")


def test_a_date_column_no_table_has_is_a_question_not_an_execution() -> None:
    tables = [_table(SALES, ("amount", "number"), ("sold_on", "datetime"))]
    turn = TurnContext(text="use the created column", session_files=[SALES], tables=tables)
    asked = default_liaisons().recommend(Realm.INSIGHTS, turn)
    assert asked.intents == []
    assert "has a column named created" in asked.text
    assert "sold_on (sales.csv)" in asked.text


def test_a_date_column_goes_to_the_tables_that_have_it_by_its_full_name() -> None:
    tables = [
        _table(SALES, ("order_date", "datetime")),
        _table(ORDERS, ("total", "number")),
    ]
    turn = TurnContext(text="use the date column", session_files=[SALES, ORDERS], tables=tables)
    [intent] = default_liaisons().recommend(Realm.INSIGHTS, turn).intents
    assert intent.params == {"file_ids": [SALES.file_id], "date_column": "order_date"}


@pytest.mark.parametrize(
    ("text", "reply"), [("thanks!", "You're welcome"), ("bye", "Bye!"), ("hello", "Hi!")]
)
def test_small_talk_is_answered_as_said(text: str, reply: str) -> None:
    said = smalltalk.greet(TurnContext(text=text), default_catalog())
    assert said.text.startswith(reply)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("use the amount column", "no amount column"),
        ("unit_price", "no unit_price column"),
        ("over the order_date column", "no order_date column"),
    ],
)
def test_the_journey_liaison_answers_a_column_in_words_without_building(
    text: str, reads: str
) -> None:
    """A column is data talk: the SOP is not built again for it."""
    asked = default_liaisons().recommend(Realm.JOURNEY, TurnContext(text=text, session_files=[SOP]))
    assert asked.intents == []
    assert reads in asked.text


@pytest.mark.parametrize("text", ["turn refunds.md into a workflow", "the amount column"])
def test_the_journey_liaison_builds_when_a_column_is_not_all_there_is(text: str) -> None:
    """A file named wins over a column; "the amount column" alone names none to use."""
    turn = TurnContext(text=text, session_files=[SOP], focus=[SOP])
    [intent] = default_liaisons().recommend(Realm.JOURNEY, turn).intents
    assert intent.name == "create_workflow_from_sop"
    bare = default_liaisons().recommend(Realm.JOURNEY, TurnContext(text="the amount column"))
    assert bare.intents == []


FINDINGS_RUN = Intent(
    name="generate_insights", realm=Realm.INSIGHTS, params={"file_ids": [SALES.file_id]}
)


def _after_findings(
    text: str, last: Intent = FINDINGS_RUN, named: list[FileRef] | None = None
) -> Recommendation:
    ran = LastExecution(execution_id="e1", intent=last, status="completed")
    turn = TurnContext(text=text, session_files=[SALES], last_execution=ran, focus=named or [])
    return default_liaisons().recommend(Realm.INSIGHTS, turn)


def test_a_follow_up_a_look_cannot_take_is_said_not_run_again() -> None:
    """ "only the north region" after findings on sales.csv would run the same findings."""
    said = _after_findings("only the north region")
    assert said.intents == []
    assert said.text.startswith("The findings cover all of sales.csv")
    profiled = _after_findings(
        "only the north region", FINDINGS_RUN.model_copy(update={"name": "profile_data"})
    )
    assert profiled.text.startswith("The profile covers all of sales.csv")


@pytest.mark.parametrize(
    "text", ["only the first one", "the other file", "now the sheet", "look for findings"]
)
def test_picking_files_or_asking_anew_runs_the_look_again(text: str) -> None:
    """Files picked keep the look even when they are the same; a message that does not
    take the last turn further is a request of its own."""
    [intent] = _after_findings(text).intents
    assert intent == FINDINGS_RUN


def test_naming_the_files_again_runs_the_look_again() -> None:
    [intent] = _after_findings("and now sales?", named=[SALES]).intents
    assert intent == FINDINGS_RUN


def test_a_different_look_on_a_follow_up_runs() -> None:
    """The rule is about the very same intent: other files or another look run."""
    other = FINDINGS_RUN.model_copy(update={"params": {"file_ids": ["x" * 32]}})
    [intent] = _after_findings("only the north region", other).intents
    assert intent == FINDINGS_RUN


def _orders_table() -> TableSchema:
    return _table(ORDERS, ("id", "integer"), ("total", "number"), ("status", "text"))


def test_a_follow_up_to_a_question_that_cannot_change_it_is_asked_back() -> None:
    """ "only for 2024" on a table with no date: a question back, not a profile."""
    tables = [_orders_table()]
    asked = TurnContext(text="what's the count of orders per status", tables=tables)
    [query] = (
        default_liaisons()
        .recommend(Realm.INSIGHTS, asked.model_copy(update={"session_files": [ORDERS]}))
        .intents
    )
    ran = LastExecution(execution_id="e1", intent=query, status="completed")
    turn = TurnContext(
        text="only for 2024", session_files=[ORDERS], tables=tables, last_execution=ran
    )
    said = default_liaisons().recommend(Realm.INSIGHTS, turn)
    assert said.intents == []
    assert "orders.csv" in said.text
    fresh = turn.model_copy(update={"last_execution": None})
    assert [i.name for i in default_liaisons().recommend(Realm.INSIGHTS, fresh).intents] == [
        "profile_data"
    ]
