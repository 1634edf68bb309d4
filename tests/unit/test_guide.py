"""The Guide Agent in a conversation: follow-ups, topic changes, references back."""

import asyncio
from dataclasses import replace

import pytest

from activities.agents import guide
from activities.agents.analyzer import clarify, decide
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import (
    Liaison,
    Liaisons,
    content,
    default_liaisons,
    insights,
    journey,
    smalltalk,
)
from activities.catalog import Catalog, default_catalog
from models.agents import Analysis, LastExecution, Route, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm
from models.query import ColumnInfo, TableSchema

LIAISONS = default_liaisons()
SALES = FileRef(file_id="a" * 32, name="sales.csv", size=1, sha256="0" * 64, content_type="")
ORDERS = FileRef(file_id="b" * 32, name="orders.csv", size=1, sha256="0" * 64, content_type="")
PROFILE = Intent(name="profile_data", realm=Realm.INSIGHTS, params={"file_ids": [SALES.file_id]})
REFUNDS = FileRef(file_id="c" * 32, name="refunds.md", size=1, sha256="0" * 64, content_type="")
SOP_RUN = Intent(name="create_workflow_from_sop", realm=Realm.JOURNEY, params={"text": "1. a"})


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
    [(0.5, True), (0.9, True), (0.949, True), (0.95, False), (0.99, False), (1.0, False)],
)
def test_a_follow_up_leaves_the_liaison_only_for_a_topic_the_backend_is_sure_of(
    confidence: float, kept_by_liaison: bool
) -> None:
    """The hand-back rule's edge for a follow-up not in the new topic's words: 0.95."""
    turn = TurnContext(text="use the second file", active_pillar=Realm.JOURNEY)
    analysis = guide.hand_back(turn, _routed(Route.LIAISON, Realm.INSIGHTS, confidence))
    assert analysis.pillar is (Realm.JOURNEY if kept_by_liaison else Realm.INSIGHTS)
    assert analysis.pillars == [analysis.pillar]
    assert analysis.rationale.startswith("follow-up") is kept_by_liaison
    assert analysis.confidence == confidence


@pytest.mark.parametrize("confidence", [0.5, 0.6, 0.949])
def test_a_follow_up_in_the_new_topics_own_words_leaves_the_liaison(confidence: float) -> None:
    """ "now the trends" takes the last turn further, but asks for insights by name."""
    turn = TurnContext(text="now the trends", active_pillar=Realm.JOURNEY)
    guess = _routed(Route.LIAISON, Realm.INSIGHTS, confidence)
    assert guide.hand_back(turn, guess) == guess


@pytest.mark.parametrize("confidence", [0.3, 0.5, 0.6, 0.949])
def test_a_message_that_does_not_follow_up_is_the_backends_at_any_confidence(
    confidence: float,
) -> None:
    """No file, column, refinement or answer to the liaison: a new request routes afresh."""
    turn = TurnContext(text="Compare my data quality across files", active_pillar=Realm.JOURNEY)
    guess = _routed(Route.COLLABORATION, Realm.INSIGHTS, confidence)
    assert guide.hand_back(turn, guess) == guess


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("and for refunds.md?", "names a file"),
        ("the second one", "picks one of the files"),
        ("use the date column", "names a column"),
        ("unit_price", "names a column"),
        ("now by month", "takes the last turn further"),
        ("only 2015", "takes the last turn further"),
        ("what about the other file", "takes the last turn further"),
        ("1. Receive\n2. Check\n3. Ship", "answers its question with pasted text"),
    ],
)
def test_what_follows_up(text: str, why: str) -> None:
    turn = TurnContext(text=text, session_files=[SALES, REFUNDS], active_pillar=Realm.JOURNEY)
    assert guide.follow_up(turn, Realm.JOURNEY) == why


def test_a_file_the_liaison_cannot_work_on_is_no_follow_up() -> None:
    """Naming a table while the Journey liaison helps starts something else."""
    turn = TurnContext(text="what about sales.csv", session_files=[SALES, REFUNDS])
    assert guide.follow_up(turn, Realm.JOURNEY) is None
    assert guide.follow_up(turn, Realm.INSIGHTS) == "names a file"


@pytest.mark.parametrize(
    "text", ["zxqv blorp", "purple monkey dishwasher", "hmm", "Create a workflow from my SOP"]
)
def test_what_does_not_follow_up(text: str) -> None:
    turn = TurnContext(text=text, session_files=[SALES, ORDERS], active_pillar=Realm.INSIGHTS)
    assert guide.follow_up(turn, Realm.INSIGHTS) is None


def test_an_attached_file_answers_the_liaisons_open_question_only() -> None:
    """Asked for an SOP (nothing of its realm ran since), a file sent answers it."""
    asked = TurnContext(text="here", attached=[REFUNDS], active_pillar=Realm.JOURNEY)
    assert guide.follow_up(asked, Realm.JOURNEY) == "answers its question with a file"
    ran = asked.model_copy(
        update={
            "last_execution": LastExecution(execution_id="e", intent=SOP_RUN, status="completed")
        }
    )
    assert guide.follow_up(ran, Realm.JOURNEY) is None


def test_an_unsure_reading_asked_for_in_its_words_or_on_its_files_is_settled() -> None:
    unsure = clarify(0.45, "classified as compare (p=0.45)", ["compare", "insights"])
    worded = guide.pinned(TurnContext(text="compare my two spreadsheets"), unsure, LIAISONS)
    assert worded.route is Route.COLLABORATION
    both = TurnContext(text="compare or profile them")
    assert guide.pinned(both, unsure, LIAISONS) == unsure
    files = [SALES, REFUNDS]
    likely = clarify(0.45, "classified as insights (p=0.45)", ["insights", "compare"])
    table = TurnContext(text="how does sales.csv look", session_files=files)
    assert guide.pinned(table, likely, LIAISONS).route is Route.LIAISON
    text = TurnContext(text="how does refunds.md look", session_files=files)
    assert guide.pinned(text, likely, LIAISONS) == likely


def _about_sales(text: str) -> TurnContext:
    """`text` in a session whose one file, sales.csv, has a numeric `amount` column."""
    amount = ColumnInfo(name="amount", type="number")
    table = TableSchema(
        file_id=SALES.file_id, name="sales.csv", table="sales", rows=4, columns=[amount]
    )
    return TurnContext(text=text, session_files=[SALES], tables=[table])


@pytest.mark.parametrize("text", ["ok thanks", "lol", "nice, bye"])
def test_acknowledgements_are_small_talk_whatever_the_backend_read(text: str) -> None:
    read = _routed(Route.LIAISON, Realm.INSIGHTS, 0.8)
    analysis = guide.claimed(TurnContext(text=text), read, LIAISONS)
    assert (analysis.route, analysis.pillars) == (Route.DIRECT, [])
    assert guide.claimed(TurnContext(text="ok thanks, now profile it"), read, LIAISONS) == read


def test_a_question_naming_the_users_columns_is_claimed_only_from_an_unsure_reading() -> None:
    turn = _about_sales("what's the total amount?")
    unsure = clarify(0.3, "unsure", [])
    assert guide.claimed(turn, unsure, LIAISONS).pillars == [Realm.INSIGHTS]
    compare = _routed(Route.COLLABORATION, Realm.INSIGHTS, 0.6)
    assert guide.claimed(turn, compare, LIAISONS) == compare


def test_files_sent_with_an_unclear_message_are_taken_in() -> None:
    unsure = clarify(0.3, "unsure", [])
    analysis = guide.with_files(TurnContext(text="here", attached=[SALES]), unsure, LIAISONS)
    assert analysis.recommendation is not None
    assert [i.name for i in analysis.recommendation.intents] == ["ingest_file"]
    assert guide.with_files(TurnContext(text="here"), unsure, LIAISONS) == unsure


@pytest.mark.parametrize("confidence", [0.1, 0.5, 0.74])
def test_greetings_help_and_out_of_scope_stay_with_the_guide_at_any_confidence(
    confidence: float,
) -> None:
    """The exemption: the guide answers these itself, whoever was helping."""
    turn = TurnContext(text="thanks, the second one", active_pillar=Realm.INSIGHTS)
    own = _routed(Route.DIRECT, None, confidence)
    assert guide.hand_back(turn, own) == own


@pytest.mark.parametrize("confidence", [0.3, 0.9, 1.0])
def test_an_unsure_reading_of_a_follow_up_goes_to_the_helping_liaison(
    confidence: float,
) -> None:
    turn = TurnContext(text="the second file", active_pillar=Realm.CONTENT)
    analysis = guide.hand_back(turn, _routed(Route.CLARIFY, None, confidence))
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.CONTENT)


@pytest.mark.parametrize("confidence", [0.1, 0.3, 0.49])
def test_nonsense_gets_the_guides_question_not_the_liaisons_intent(confidence: float) -> None:
    turn = TurnContext(text="zxqv blorp", active_pillar=Realm.INSIGHTS, session_files=[SALES])
    unsure = _routed(Route.CLARIFY, None, confidence)
    assert guide.hand_back(turn, unsure) == unsure


def test_after_small_talk_a_follow_up_goes_to_the_liaison_of_the_last_execution(
    backend: OfflineBackend,
) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status="completed")
    analysis = _analyze(backend, "now the second file", last_execution=last)
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.INSIGHTS)
    ingest = Intent(name="ingest_file", realm=Realm.CONTENT, params={"file_id": SALES.file_id})
    uploaded = LastExecution(execution_id="e1", intent=ingest, status="completed")
    after_upload = _analyze(backend, "now the second file", last_execution=uploaded)
    assert "follow-up" not in after_upload.rationale


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


@pytest.mark.parametrize(
    "text",
    [
        "what is a data profile anyway?",
        "what does that mean",
        "hmm, what's an outlier?",
        "what do you mean by that",
        "what does skewness mean exactly",
    ],
)
def test_a_question_about_what_something_means_is_the_guides_help(text: str) -> None:
    """Whatever the backend read (insights, sure of it), nothing runs for a definition."""
    read = _routed(Route.LIAISON, Realm.INSIGHTS, 0.93)
    analysis = guide.claimed(TurnContext(text=text), read, LIAISONS)
    assert (analysis.route, analysis.pillars) == (Route.DIRECT, [])
    assert analysis.recommendation is not None
    assert analysis.recommendation.text.startswith("Hi! I can")


@pytest.mark.parametrize(
    "text",
    [
        "what is the mean amount",
        "what is a data profile of sales.csv",
        "what does the order look like in that big long messy file",
        "so what is a good way to profile my data",
    ],
)
def test_a_question_about_the_data_is_no_definition(text: str) -> None:
    read = _routed(Route.LIAISON, Realm.INSIGHTS, 0.93)
    assert guide.claimed(TurnContext(text=text), read, LIAISONS) == read


def test_a_definition_naming_the_users_columns_is_about_the_data() -> None:
    """ "what's a typical amount" reads like a definition but names a column of sales.csv."""
    turn = _about_sales("what's a typical amount")
    read = _routed(Route.LIAISON, Realm.INSIGHTS, 0.9)
    assert guide.claimed(turn, read, LIAISONS) == read
    assert guide.claimed(turn.model_copy(update={"tables": []}), read, LIAISONS) != read


def _one_file_turn(text: str, **context: object) -> TurnContext:
    return TurnContext.model_validate({"text": text, "session_files": [SALES, ORDERS], **context})


def _comparison(text: str) -> Analysis:
    """The backend's reading of `text` as a comparison, with its plan's pillars."""
    return decide("compare", 0.5, TurnContext(text=text), "backend", None, LIAISONS)


def test_a_comparison_reading_of_a_message_naming_one_file_is_about_that_file() -> None:
    turn = _one_file_turn("what's the data quality of orders.csv")
    analysis = guide.one_file(turn, _comparison(turn.text), LIAISONS)
    assert (analysis.route, analysis.pillars) == (Route.LIAISON, [Realm.INSIGHTS])
    assert analysis.rationale.startswith("names one file: insights")
    assert analysis.confidence == 0.5


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("what's the data quality of orders.csv and sales.csv", {}),
        ("what's the data quality of my files", {}),
        ("compare orders.csv", {}),
        ("how does orders.csv stack up side by side", {}),
        ("what's the data quality of orders.csv", {"attached": [REFUNDS]}),
    ],
)
def test_a_comparison_stays_one_with_two_files_its_words_or_a_file_sent(
    text: str, context: dict[str, object]
) -> None:
    read = _comparison(text)
    assert guide.one_file(_one_file_turn(text, **context), read, LIAISONS) == read


def test_only_a_comparison_reading_is_turned_to_its_file() -> None:
    turn = _one_file_turn("what's the data quality of orders.csv")
    for read in (_routed(Route.LIAISON, Realm.JOURNEY, 0.5), clarify(0.3, "unsure", [])):
        assert guide.one_file(turn, read, LIAISONS) == read


def test_the_guide_reads_one_file_named_as_that_files_not_a_comparison(
    backend: OfflineBackend,
) -> None:
    """Through `analyze`: the classifier reads "data quality" as a comparison."""
    analysis = _analyze(backend, "what's the data quality of orders.csv")
    assert (analysis.route, analysis.pillars) == (Route.LIAISON, [Realm.INSIGHTS])


def test_a_question_naming_a_measure_by_its_superlative_is_about_the_data() -> None:
    """ "heaviest" names the weight column: the guide's "out of scope" gives way."""
    mass = ColumnInfo(name="body_mass_g", type="number")
    table = TableSchema(
        file_id=SALES.file_id, name="penguins.csv", table="p", rows=4, columns=[mass]
    )
    turn = TurnContext(text="what's the heaviest penguin", session_files=[SALES], tables=[table])
    declined = _routed(Route.DIRECT, None, 0.63)
    assert guide.claimed(turn, declined, LIAISONS).pillars == [Realm.INSIGHTS]
    kind = turn.model_copy(update={"text": "what's the kindest penguin"})
    assert guide.claimed(kind, declined, LIAISONS) == declined


def _renamed_registry(attachments: bool = True) -> Liaisons:
    """A registry unlike the default one: renamed labels, small talk with a cue word, and
    a plugin intent that lets the Insights liaison read text files. A rule that fell back
    to the default registry would name labels this one does not know, or read files by
    the default catalog's kinds."""
    base = default_catalog()
    notes = replace(base.entry("profile_data"), name="read_notes", file_kinds=frozenset({"text"}))
    catalog = Catalog([*(base.entry(name) for name in base.names()), notes])
    take = replace(content.UPLOAD, name="take", attachments=attachments)
    return Liaisons(
        catalog,
        [
            Liaison(Realm.CONTENT, content.LIAISON.recommend, (take,)),
            Liaison(
                Realm.INSIGHTS,
                insights.recommend,
                (
                    replace(insights.INSIGHTS, name="data"),
                    replace(insights.COMPARISON, name="contrast"),
                ),
            ),
            Liaison(Realm.JOURNEY, journey.recommend, (replace(journey.JOURNEY, name="flow"),)),
        ],
        [
            replace(smalltalk.SMALLTALK, name="chat", cues=("hello",)),
            replace(smalltalk.OUT_OF_SCOPE, name="decline"),
        ],
    )


OWN = _renamed_registry()


class _Reads:
    """An analyzer that reads every message as `analysis`."""

    def __init__(self, analysis: Analysis) -> None:
        self._analysis = analysis

    def analyze(self, context: TurnContext) -> Analysis:
        return self._analysis


def test_the_guide_follows_up_by_its_own_registrys_catalog() -> None:
    """With a plugin intent that reads text, a text file named follows up with Insights."""
    turn = TurnContext(
        text="and refunds.md?", session_files=[SALES, REFUNDS], active_pillar=Realm.INSIGHTS
    )
    unsure = clarify(0.3, "unsure", [], OWN)
    analysis = asyncio.run(guide.analyze(turn, OfflineBackend(_Reads(unsure), OWN)))
    assert (analysis.route, analysis.pillars) == (Route.LIAISON, [Realm.INSIGHTS])
    assert guide.follow_up(turn, Realm.INSIGHTS, OWN) == "names a file"
    assert guide.follow_up(turn, Realm.INSIGHTS, LIAISONS) is None


def test_a_table_named_follows_up_with_the_liaison_that_helps() -> None:
    """The helping liaison's own kinds decide: a table named while Insights helps."""
    turn = TurnContext(text="and orders.csv?", session_files=[SALES, ORDERS])
    guess = _routed(Route.LIAISON, Realm.JOURNEY, 0.5)
    analysis = guide.hand_back(turn.model_copy(update={"active_pillar": Realm.INSIGHTS}), guess)
    assert analysis.pillars == [Realm.INSIGHTS]
    assert analysis.rationale.startswith("follow-up for the insights liaison (names a file)")


def test_the_helping_liaisons_own_reading_of_a_follow_up_is_kept_as_read() -> None:
    turn = TurnContext(text="now by month", active_pillar=Realm.INSIGHTS)
    same = _routed(Route.LIAISON, Realm.INSIGHTS, 0.3)
    assert guide.hand_back(turn, same) == same


def test_the_guides_own_reading_of_a_follow_up_stays_the_guides() -> None:
    turn = TurnContext(text="now by month", active_pillar=Realm.INSIGHTS)
    own = _routed(Route.DIRECT, None, 0.6)
    assert guide.hand_back(turn, own) == own


def test_an_unsure_reading_is_settled_in_the_registrys_own_labels() -> None:
    worded = guide.pinned(
        TurnContext(text="hello there"), clarify(0.45, "unsure", ["chat", "data"], OWN), OWN
    )
    assert (worded.route, worded.rationale) == (
        Route.DIRECT,
        "asked for in its words: chat; unsure; not confident enough to act",
    )
    assert worded.recommendation is not None
    assert worded.recommendation.text.startswith("Hi! I can")
    table = TurnContext(text="how does sales.csv look", session_files=[SALES, REFUNDS])
    files = guide.pinned(table, clarify(0.45, "unsure", ["data", "contrast"], OWN), OWN)
    assert (files.pillars, files.rationale) == (
        [Realm.INSIGHTS],
        "names files it works on: data; unsure; not confident enough to act",
    )


def test_a_reading_without_options_is_not_settled() -> None:
    unsure = clarify(0.3, "unsure", [])
    assert guide.pinned(TurnContext(text="compare them"), unsure, LIAISONS) == unsure


def test_one_file_named_goes_to_the_registrys_own_label() -> None:
    turn = _one_file_turn("what's the data quality of orders.csv")
    read = decide("contrast", 0.5, TurnContext(text=turn.text), "backend", None, OWN)
    assert guide.one_file(turn, read, OWN).rationale.startswith("names one file: data")


def test_a_comparison_ending_with_a_liaison_of_no_label_of_its_own_stays() -> None:
    """Content has no label routed to it alone (upload is the guide's direct answer)."""
    turn = _one_file_turn("what's the data quality of orders.csv")
    read = _routed(Route.COLLABORATION, Realm.CONTENT, 0.5)
    assert guide.one_file(turn, read, LIAISONS) == read


def test_claims_and_files_sent_use_the_registrys_labels() -> None:
    unsure = clarify(0.3, "unsure", [], OWN)
    chat = guide.claimed(TurnContext(text="ok thanks"), unsure, OWN)
    assert chat.rationale == "claimed by chat; unsure; not confident enough to act"
    sent = guide.with_files(TurnContext(text="here", attached=[SALES]), unsure, OWN)
    assert sent.rationale.startswith("files sent with it")
    assert sent.pillars == [Realm.CONTENT]


def test_a_reference_back_is_never_claimed() -> None:
    reference = _routed(Route.DIRECT, Realm.INSIGHTS, 1.0).model_copy(
        update={"rationale": "reference to the conversation: x", "pillars": []}
    )
    assert guide.claimed(TurnContext(text="ok thanks"), reference, LIAISONS) == reference


def test_the_guides_upload_is_not_claimed_by_a_question_about_the_data() -> None:
    """Upload is a direct route on the Content pillar: not the guide's own reading."""
    turn = _about_sales("what's the total amount?")
    upload = decide("upload", 0.7, turn, "backend", None, LIAISONS)
    assert guide.claimed(turn, upload, LIAISONS) == upload


def test_files_sent_with_an_upload_or_small_talk() -> None:
    """Small talk with a file takes it in; an upload reading is left as it is."""
    turn = TurnContext(text="thanks, here", attached=[SALES])
    upload = decide("upload", 0.7, turn, "backend", None, LIAISONS)
    assert guide.with_files(turn, upload, LIAISONS) == upload
    thanks = decide("smalltalk", 0.7, turn, "backend", None, LIAISONS)
    taken = guide.with_files(turn, thanks, LIAISONS)
    assert (taken.route, taken.pillars) == (Route.DIRECT, [Realm.CONTENT])


def test_without_a_label_for_files_sent_the_reading_stays() -> None:
    registry = _renamed_registry(attachments=False)
    unsure = clarify(0.3, "unsure", [], registry)
    sent = TurnContext(text="here", attached=[SALES])
    assert guide.with_files(sent, unsure, registry) == unsure


def test_do_the_same_for_two_files_names_both(backend: OfflineBackend) -> None:
    last = LastExecution(execution_id="e1", intent=PROFILE, status="completed")
    analysis = _analyze(backend, "do the same for orders.csv and sales.csv", last_execution=last)
    assert analysis.rationale.endswith("profile_data again, on sales.csv, orders.csv")
    assert analysis.recommendation is not None
    assert analysis.recommendation.text == (
        "I'll do the same (profile data) for sales.csv, orders.csv."
    )
