"""The Guide Agent in a conversation: follow-ups, topic changes, references back."""

import asyncio

import pytest

from activities.agents import guide
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from models.agents import Analysis, LastExecution, Route, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm

SALES = FileRef(file_id="a" * 32, name="sales.csv", size=1, sha256="0" * 64, content_type="")
ORDERS = FileRef(file_id="b" * 32, name="orders.csv", size=1, sha256="0" * 64, content_type="")
PROFILE = Intent(name="profile_data", realm=Realm.INSIGHTS, params={"file_ids": [SALES.file_id]})


@pytest.fixture(scope="module")
def backend() -> OfflineBackend:
    return OfflineBackend(ClassifierAnalyzer())


def _analyze(backend: OfflineBackend, text: str, **context: object) -> Analysis:
    turn = TurnContext.model_validate({"text": text, "session_files": [SALES, ORDERS], **context})
    return asyncio.run(guide.analyze(turn, backend))


def test_a_refinement_goes_back_to_the_helping_liaison(backend: OfflineBackend) -> None:
    analysis = _analyze(backend, "only the first sheet", active_pillar=Realm.INSIGHTS)
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.INSIGHTS)
    assert analysis.rationale.startswith("follow-up for the insights liaison")


def test_the_insights_liaison_uses_the_date_column_it_is_told() -> None:
    turn = TurnContext(text="use the date column", session_files=[SALES])
    [intent] = default_liaisons().recommend(Realm.INSIGHTS, turn).intents
    assert intent.name == "generate_insights"
    assert intent.params == {"file_ids": [SALES.file_id], "date_column": "date"}


def test_pasted_steps_answer_the_journey_liaisons_question(backend: OfflineBackend) -> None:
    steps = "1. Receive the order\n2. Check stock\n3. Ship it"
    analysis = _analyze(backend, steps, active_pillar=Realm.JOURNEY, session_files=[])
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.JOURNEY)
    [intent] = default_liaisons().recommend(Realm.JOURNEY, TurnContext(text=steps)).intents
    assert intent.params == {"text": steps}


@pytest.mark.parametrize(
    ("text", "route", "pillar"),
    [
        ("Create a workflow from my SOP", Route.LIAISON, Realm.JOURNEY),
        ("Compare my data quality across files", Route.COLLABORATION, Realm.INSIGHTS),
        ("thanks!", Route.DIRECT, None),
        ("book me a flight", Route.DIRECT, None),
    ],
)
def test_the_guide_takes_over_when_the_topic_changes(
    backend: OfflineBackend, text: str, route: Route, pillar: Realm | None
) -> None:
    analysis = _analyze(backend, text, active_pillar=Realm.INSIGHTS)
    assert (analysis.route, analysis.pillar) == (route, pillar)
    assert "follow-up" not in analysis.rationale


@pytest.mark.parametrize(("status", "retry_of"), [("failed", "e1"), ("completed", None)])
def test_retry_that_reruns_the_last_execution(
    backend: OfflineBackend, status: str, retry_of: str | None
) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status=status)
    analysis = _analyze(backend, "retry that", last_execution=last)
    assert analysis.route is Route.DIRECT
    assert analysis.recommendation is not None
    assert analysis.recommendation.intents == [PROFILE]
    assert analysis.recommendation.retry_of == retry_of


def test_do_the_same_for_another_file(backend: OfflineBackend) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status="completed")
    analysis = _analyze(backend, "do the same for orders.csv", last_execution=last)
    assert analysis.recommendation is not None
    [intent] = analysis.recommendation.intents
    assert (intent.name, intent.params) == ("profile_data", {"file_ids": [ORDERS.file_id]})
    assert analysis.focus == [ORDERS.file_id]


def test_references_need_a_last_execution(backend: OfflineBackend) -> None:
    analysis = _analyze(backend, "retry that")
    assert "reference" not in analysis.rationale


def _routed(route: Route, pillar: Realm | None, confidence: float) -> Analysis:
    """What a backend might say: `route` to `pillar` with `confidence`."""
    pillars = [pillar] if pillar else []
    return Analysis(
        route=route,
        agents=["guide"],
        pillar=pillar,
        pillars=pillars,
        confidence=confidence,
        rationale="backend",
    )


@pytest.mark.parametrize(
    ("confidence", "kept_by_liaison"),
    [(0.6, True), (0.74, True), (0.749, True), (0.75, False), (0.8, False), (0.95, False)],
)
def test_a_new_topic_is_taken_back_at_the_threshold_and_not_below(
    confidence: float, kept_by_liaison: bool
) -> None:
    """The hand-back rule's edge, computed here: below 0.75 the helping liaison keeps it."""
    turn = TurnContext(text="anything", active_pillar=Realm.JOURNEY)
    analysis = guide.hand_back(turn, _routed(Route.LIAISON, Realm.INSIGHTS, confidence))
    assert analysis.pillar is (Realm.JOURNEY if kept_by_liaison else Realm.INSIGHTS)
    assert analysis.pillars == [analysis.pillar]
    assert analysis.rationale.startswith("follow-up") is kept_by_liaison
    assert analysis.confidence == confidence


@pytest.mark.parametrize("confidence", [0.1, 0.5, 0.74])
def test_greetings_help_and_out_of_scope_stay_with_the_guide_at_any_confidence(
    confidence: float,
) -> None:
    """The exemption: the guide answers these itself, whoever was helping."""
    turn = TurnContext(text="thanks", active_pillar=Realm.INSIGHTS)
    own = _routed(Route.DIRECT, None, confidence)
    assert guide.hand_back(turn, own) == own


@pytest.mark.parametrize("confidence", [0.3, 0.9, 1.0])
def test_a_clarifying_guess_goes_to_the_helping_liaison_whatever_its_confidence(
    confidence: float,
) -> None:
    turn = TurnContext(text="hmm", active_pillar=Realm.CONTENT)
    analysis = guide.hand_back(turn, _routed(Route.CLARIFY, None, confidence))
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.CONTENT)


def test_the_helping_liaisons_own_topic_keeps_the_backends_reading() -> None:
    turn = TurnContext(text="profile it", active_pillar=Realm.INSIGHTS)
    same = _routed(Route.LIAISON, Realm.INSIGHTS, 0.3)
    assert guide.hand_back(turn, same) == same


def test_without_a_helping_liaison_the_backend_decides() -> None:
    guess = _routed(Route.LIAISON, Realm.INSIGHTS, 0.3)
    assert guide.hand_back(TurnContext(text="x"), guess) == guess


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("cancelled", "I'll retry profile data again."),
        ("completed", "I'll run profile data again."),
    ],
)
def test_retry_that_is_a_direct_reference_with_its_own_words(
    backend: OfflineBackend, status: str, text: str
) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status=status)
    analysis = _analyze(backend, "retry that", last_execution=last)
    assert (analysis.route, analysis.agents, analysis.pillar) == (
        Route.DIRECT,
        ["guide"],
        Realm.INSIGHTS,
    )
    assert (analysis.pillars, analysis.confidence) == ([], 1.0)
    assert analysis.rationale == "reference to the conversation: refers to execution e1"
    assert analysis.recommendation is not None
    assert (analysis.recommendation.agent, analysis.recommendation.text) == ("guide", text)
    assert analysis.recommendation.next_steps == ["Watch the execution below"]


def test_do_the_same_says_what_it_repeats(backend: OfflineBackend) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status="completed")
    analysis = _analyze(backend, "do the same for orders.csv", last_execution=last)
    assert analysis.rationale == (
        "reference to the conversation: profile_data again, on orders.csv"
    )
    assert analysis.recommendation is not None
    assert analysis.recommendation.text == "I'll do the same (profile data) for orders.csv."
    assert analysis.recommendation.next_steps == ["Compare the results"]
    assert analysis.recommendation.retry_of is None


def test_do_the_same_runs_a_one_file_intent_once_per_file(backend: OfflineBackend) -> None:
    ingest = Intent(name="ingest_file", realm=Realm.CONTENT, params={"file_id": SALES.file_id})
    last = LastExecution(execution_id="e1", intent=ingest, status="completed")
    analysis = _analyze(backend, "do the same for sales.csv and orders.csv", last_execution=last)
    assert analysis.recommendation is not None
    assert [i.params for i in analysis.recommendation.intents] == [
        {"file_id": SALES.file_id},
        {"file_id": ORDERS.file_id},
    ]


def test_do_the_same_keeps_an_intent_without_files(backend: OfflineBackend) -> None:
    sop = Intent(name="create_workflow_from_sop", realm=Realm.JOURNEY, params={"text": "1. a"})
    last = LastExecution(execution_id="e1", intent=sop, status="completed")
    analysis = _analyze(backend, "do the same for orders.csv", last_execution=last)
    assert analysis.recommendation is not None
    assert analysis.recommendation.intents == [sop]


def test_naming_a_file_is_not_a_reference_back(backend: OfflineBackend) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status="completed")
    analysis = _analyze(backend, "what insights are in orders.csv", last_execution=last)
    assert not analysis.rationale.startswith("reference")
