"""Unit tests of the Guide Agent's first analyzer and the liaisons' choices."""

import pytest

from activities.agents import collaboration
from activities.agents.analyzer import CLARIFY_THRESHOLD, KeywordAnalyzer
from activities.agents.liaisons import default_liaisons
from models.agents import CollaborationInput, Route, TurnContext
from models.files import FileRef
from models.intents import Realm


def _file(name: str, file_id: str = "f" * 32) -> FileRef:
    return FileRef(file_id=file_id, name=name, size=1, sha256="0" * 64, content_type="text/csv")


@pytest.mark.parametrize(
    ("text", "route", "pillar"),
    [
        ("Upload a file", Route.DIRECT, Realm.CONTENT),
        ("What insights can I get from my data?", Route.LIAISON, Realm.INSIGHTS),
        ("Create a workflow from my SOP", Route.LIAISON, Realm.JOURNEY),
        ("Compare my data quality across files", Route.COLLABORATION, Realm.INSIGHTS),
        ("the weather is nice", Route.CLARIFY, None),
    ],
)
def test_the_matrix_routes(text: str, route: Route, pillar: Realm | None) -> None:
    analysis = KeywordAnalyzer().analyze(TurnContext(text=text))
    assert analysis.route is route
    assert analysis.pillar is pillar
    assert (analysis.confidence < CLARIFY_THRESHOLD) == (route is Route.CLARIFY)


def test_upload_with_files_recommends_one_ingest_each() -> None:
    files = [_file("a.csv", "a" * 32), _file("b.csv", "b" * 32)]
    analysis = KeywordAnalyzer().analyze(TurnContext(text="please upload", attached=files))
    assert analysis.recommendation is not None
    assert [i.params["file_id"] for i in analysis.recommendation.intents] == ["a" * 32, "b" * 32]


def test_an_ambiguous_message_is_clarified() -> None:
    analysis = KeywordAnalyzer().analyze(TurnContext(text="upload and profile"))
    assert analysis.route is Route.CLARIFY


def test_insights_liaison_asks_for_data_when_there_is_none() -> None:
    recommendation = default_liaisons().recommend(
        Realm.INSIGHTS, TurnContext(text="insights please")
    )
    assert not recommendation.intents


def test_journey_liaison_uses_sop_text_in_the_message() -> None:
    text = "Create a workflow from my SOP:\n1. Receive\n2. Check\n3. Ship"
    [intent] = default_liaisons().recommend(Realm.JOURNEY, TurnContext(text=text)).intents
    assert intent.params == {"text": text}


def test_router_compares_all_session_files() -> None:
    files = [_file("a.csv", "a" * 32), _file("b.csv", "b" * 32)]
    context = TurnContext(text="compare quality", session_files=files)
    views = [
        default_liaisons().recommend(Realm.CONTENT, context),
        default_liaisons().recommend(Realm.INSIGHTS, context),
    ]
    plan = collaboration.merge(CollaborationInput(context=context, views=views), default_liaisons())
    assert [i.name for i in plan.intents] == ["compare_data_quality"]
    assert plan.intents[0].params["file_ids"] == ["a" * 32, "b" * 32]
