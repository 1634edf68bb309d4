"""The offline classifier: the contract's matrix, what users say besides, and slots."""

import asyncio

import pytest

from activities.agents import guide
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from activities.agents.slots import extract as extract_slots
from models.agents import Route, TurnContext
from models.files import FileRef
from models.intents import Realm


def _file(name: str, file_id: str) -> FileRef:
    return FileRef(file_id=file_id, name=name, size=1, sha256="0" * 64, content_type="text/csv")


@pytest.fixture(scope="module")
def analyzer() -> ClassifierAnalyzer:
    return ClassifierAnalyzer()


@pytest.mark.parametrize(
    ("text", "route", "pillar"),
    [
        ("Upload a file", Route.DIRECT, Realm.CONTENT),
        ("What insights can I get from my data?", Route.LIAISON, Realm.INSIGHTS),
        ("Create a workflow from my SOP", Route.LIAISON, Realm.JOURNEY),
        ("Compare my data quality across files", Route.COLLABORATION, Realm.INSIGHTS),
        ("uplod a fiel", Route.DIRECT, Realm.CONTENT),
        ("whats in my data", Route.LIAISON, Realm.INSIGHTS),
        ("compair quality of these two spreadsheets", Route.COLLABORATION, Realm.INSIGHTS),
        ("make a flowchart from this procedure", Route.LIAISON, Realm.JOURNEY),
        ("zxqv blorp", Route.CLARIFY, None),
    ],
)
def test_routes(
    analyzer: ClassifierAnalyzer, text: str, route: Route, pillar: Realm | None
) -> None:
    analysis = analyzer.analyze(TurnContext(text=text))
    assert (analysis.route, analysis.pillar) == (route, pillar)


def test_an_upload_with_a_file_ingests_it(analyzer: ClassifierAnalyzer) -> None:
    attached = _file("a.csv", "a" * 32)
    analysis = analyzer.analyze(TurnContext(text="Upload a file", attached=[attached]))
    assert analysis.recommendation is not None
    assert [i.name for i in analysis.recommendation.intents] == ["ingest_file"]


@pytest.mark.parametrize("text", ["hello", "thanks!", "what can you do?"])
def test_greetings_and_help_list_what_the_platform_does(
    analyzer: ClassifierAnalyzer, text: str
) -> None:
    analysis = analyzer.analyze(TurnContext(text=text))
    assert (analysis.route, analysis.agents, analysis.pillar) == (Route.DIRECT, ["guide"], None)
    assert analysis.recommendation is not None
    assert not analysis.recommendation.intents
    assert "Compare my data quality across files" in analysis.recommendation.next_steps


def test_requests_outside_the_platform_are_declined_politely(analyzer: ClassifierAnalyzer) -> None:
    analysis = analyzer.analyze(TurnContext(text="book me a flight"))
    assert analysis.recommendation is not None
    assert analysis.recommendation.text.startswith("Sorry")
    assert not analysis.recommendation.intents


def test_a_low_confidence_question_offers_the_likely_options(analyzer: ClassifierAnalyzer) -> None:
    analysis = analyzer.analyze(TurnContext(text="asdf qwerty"))
    assert analysis.route is Route.CLARIFY
    assert analysis.recommendation is not None
    assert analysis.recommendation.text.endswith("?")


def test_slots() -> None:
    files = [_file("orders.csv", "a" * 32), _file("sales.csv", "b" * 32)]
    assert extract_slots(TurnContext(text="profile orders.csv", session_files=files)) == {
        "files": "orders.csv"
    }
    assert extract_slots(TurnContext(text="compare all my files", session_files=files)) == {
        "files": "all"
    }
    assert extract_slots(TurnContext(text="profile the last one", session_files=files)) == {
        "files": "sales.csv"
    }
    assert extract_slots(TurnContext(text="trend over the order_date column")) == {
        "date_column": "order_date"
    }


def test_deterministic() -> None:
    """Training time is a benchmark figure (bench.routing.run), not an assert."""
    first = ClassifierAnalyzer()
    context = TurnContext(text="analyze my spreadsheet please")
    assert first.analyze(context) == ClassifierAnalyzer().analyze(context)


@pytest.mark.parametrize(
    ("reply", "route", "pillar"),
    [
        ("the second one", Route.LIAISON, Realm.INSIGHTS),
        ("first", Route.DIRECT, Realm.CONTENT),
        ("insights please", Route.LIAISON, Realm.INSIGHTS),
    ],
)
def test_an_answer_to_the_guides_question_resolves_it(
    analyzer: ClassifierAnalyzer, reply: str, route: Route, pillar: Realm
) -> None:
    context = TurnContext(text=reply, pending_options=["upload", "insights"])
    analysis = analyzer.analyze(context)
    assert (analysis.route, analysis.pillar) == (route, pillar)
    assert "answer to the guide's question" in analysis.rationale


def test_a_clarifying_question_remembers_its_options(analyzer: ClassifierAnalyzer) -> None:
    analysis = analyzer.analyze(TurnContext(text="asdf qwerty"))
    assert analysis.route is Route.CLARIFY
    assert analysis.options
    assert "out_of_scope" not in analysis.options


def test_a_named_file_narrows_what_the_liaison_works_on(analyzer: ClassifierAnalyzer) -> None:
    files = [_file("orders.csv", "a" * 32), _file("sales.csv", "b" * 32)]
    context = TurnContext(text="profile orders.csv", session_files=files)
    analysis = asyncio.run(guide.analyze(context, OfflineBackend(analyzer)))
    assert analysis.focus == ["a" * 32]
    focused = TurnContext(text="profile orders.csv", session_files=files, focus=files[:1])
    [intent] = default_liaisons().recommend(Realm.INSIGHTS, focused).intents
    assert intent.params["file_ids"] == ["a" * 32]
