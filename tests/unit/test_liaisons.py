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
from models.agents import Recommendation, Route, TurnContext
from models.files import FileRef
from models.intents import Realm
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
