"""The LLM multi-turn benchmark (`bench/routing/multiturn_llm.py`) scores what its recorded
model answers: the turn's labels score every turn, a wrong recorded label costs its turn,
and a model never valid leaves the offline backend's score, two calls per agent answer."""

import asyncio

from activities.agents.activities import AgentActivities
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from bench.routing.dialogues import SESSIONS
from bench.routing.multiturn import Schemas, Session, expected, score
from bench.routing.multiturn_llm import Conversations, Faults, Figures, Recording, evaluate
from tests.openai_stub import Stub, user_input

LIAISONS = default_liaisons()
LABELS = [*LIAISONS.labels, "clarify"]
OVERVIEW = "give me a quick overview of sales.csv"
CONVERSATION: Conversations = [
    (
        "tables",
        [
            (OVERVIEW, "insights", "profile_data"),
            ("and orders.csv?", "insights", "profile_data"),
            ("now compare the two", "compare", "compare_data_quality"),
        ],
    )
]
DATED: Conversations = [
    (
        "tables",
        [
            ("what can you tell me about my sales data?", "insights", "profile_data"),
            ("use the order_date column", "insights", "generate_insights"),
            ("thanks, that helps", "smalltalk", None),
        ],
    )
]
"""The offline backend scores all three turns, the LLM path two (issue 19's report)."""


class WrongOnce(Recording):
    """The recording, but the guide reads the first message as a clarifying question."""

    def label(self) -> str:
        return "clarify" if self.turn[0] == OVERVIEW else super().label()


def _run(stub: Stub, recording: Recording, conversations: Conversations = CONVERSATION) -> Figures:
    return asyncio.run(evaluate(stub, recording, conversations))


def _scores(figures: Figures) -> tuple[int, int, int, int]:
    return figures.turns, figures.routes, figures.intents, figures.both


def test_the_turns_labels_score_every_turn(fresh: Stub) -> None:
    recording = Recording(LIAISONS.catalog, LABELS)
    figures = _run(fresh, recording)
    assert _scores(figures) == (3, 3, 3, 3)
    assert (figures.sent_back, figures.fell_back, figures.wrong_kind) == (0, 0, 0)
    guide, liaison = fresh.requests[:2]
    assert user_input(guide)["message"] == OVERVIEW
    recording.play(CONVERSATION[0][1][0], "0.0")
    assert '"label": "insights"' in str(recording(guide))
    call = recording(liaison)
    assert isinstance(call, dict)
    assert call["tool_calls"][0]["function"] == {
        "name": "profile_data",
        "arguments": '{"file_ids": ["sales_csv"]}',
    }


def test_a_wrong_recorded_label_costs_its_turn(fresh: Stub) -> None:
    figures = _run(fresh, WrongOnce(LIAISONS.catalog, LABELS))
    assert _scores(figures) == (3, 2, 2, 2)
    assert figures.misses == {"insights": 1}


def test_a_model_never_valid_leaves_the_offline_score(fresh: Stub) -> None:
    recording = Recording(LIAISONS.catalog, LABELS, Faults(malformed=1.0))
    figures = _run(fresh, recording, DATED)
    assert _scores(figures) == _offline(DATED) == (3, 3, 3, 3)
    assert figures.sent_back == figures.fell_back == recording.given["malformed"] // 2
    assert sum(figures.calls) == recording.given["malformed"] == len(fresh.requests)


def test_the_faults_drawn_depend_on_the_seed_and_the_turn_only(fresh: Stub) -> None:
    _run(fresh, Recording(LIAISONS.catalog, LABELS))
    guide = fresh.requests[0]
    turn = CONVERSATION[0][1][0]

    def wrong(seed: int) -> list[int]:
        recording = Recording(LIAISONS.catalog, LABELS, Faults(wrong_labels=0.1, seed=seed))
        drawn = []
        for where in range(300):
            recording.play(turn, f"{where}.0")
            drawn.append('"label": "insights"' not in str(recording(guide)))
        return [where for where, was in enumerate(drawn) if was]

    assert wrong(3) == wrong(3) != wrong(4)
    assert 15 <= len(wrong(3)) <= 45


def _offline(conversations: Conversations) -> tuple[int, int, int, int]:
    """The conversation through the offline backend, as `bench.routing.multiturn` runs it."""
    backend = OfflineBackend(ClassifierAnalyzer(liaisons=LIAISONS), LIAISONS)
    agents = AgentActivities(backend, LIAISONS.catalog, Schemas())
    [(files, turns)] = conversations
    session = Session(agents, SESSIONS[files])
    scored = []
    for turn in turns:
        text, _, _, attached = expected(turn)
        scored.append(score(turn, *asyncio.run(session.turn(text, attached))))
    routes, intents = sum(r for r, _ in scored), sum(i for _, i in scored)
    return len(turns), routes, intents, sum(r and i for r, i in scored)
