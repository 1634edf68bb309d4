"""How the Guide Agent reads a message: the interface, and the keyword analyzer.

Any analyzer (a trained classifier, an LLM) implements `Analyzer`; the Guide Agent and
the workflow do not change when it is replaced.
"""

import re
from dataclasses import dataclass
from typing import Protocol

from models.agents import Analysis, Recommendation, Route, TurnContext
from models.intents import Intent, Realm

GUIDE = "guide"
CLARIFY_THRESHOLD = 0.5


class Analyzer(Protocol):
    """Decides the route of one message."""

    def analyze(self, context: TurnContext) -> Analysis: ...


@dataclass(frozen=True)
class _Cue:
    """A family of phrasings that points at one route."""

    route: Route
    pillars: tuple[Realm, ...]
    words: tuple[str, ...]
    label: str


_CUES = (
    _Cue(
        Route.COLLABORATION,
        (Realm.CONTENT, Realm.INSIGHTS),
        ("compare", "comparison", "across files", "side by side", "versus", " vs "),
        "a comparison across files",
    ),
    _Cue(
        Route.DIRECT,
        (Realm.CONTENT,),
        ("upload", "ingest", "import", "attach", "add a file", "add this file"),
        "a file upload",
    ),
    _Cue(
        Route.LIAISON,
        (Realm.INSIGHTS,),
        ("insight", "profile", "analy", "statistic", "pattern", "trend", "quality", "summar"),
        "insights on data",
    ),
    _Cue(
        Route.LIAISON,
        (Realm.JOURNEY,),
        ("sop", "workflow", "procedure", "process", "flowchart", "runbook"),
        "a workflow from a procedure",
    ),
)


class KeywordAnalyzer:
    """A deterministic first analyzer: cue words per route, scored and compared.

    It is simple on purpose; it sits behind `Analyzer` so a better one can replace it.
    """

    def analyze(self, context: TurnContext) -> Analysis:
        """Score each cue family; a clear winner routes, anything else asks."""
        text = f" {_normalize(context.text)} "
        scored = sorted(
            (
                (sum(word in text for word in cue.words), index, cue)
                for index, cue in enumerate(_CUES)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        hits, _, best = scored[0]
        runner_up = scored[1][0]
        confidence = _confidence(hits, runner_up, first_is_priority=best is _CUES[0])
        if confidence < CLARIFY_THRESHOLD:
            return _clarify(confidence)
        return _route(best, confidence, context)


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def _confidence(hits: int, runner_up: int, *, first_is_priority: bool) -> float:
    """Confidence grows with matching cues and shrinks when another route matches as well."""
    if hits == 0:
        return 0.2
    if hits == runner_up and not first_is_priority:
        return 0.4
    return min(0.95, 0.6 + 0.15 * hits - 0.1 * runner_up)


def _clarify(confidence: float) -> Analysis:
    question = (
        "I'm not sure what you'd like to do. Do you want to upload a file, get insights "
        "from your data, compare data quality across files, or create a workflow from an SOP?"
    )
    return Analysis(
        route=Route.CLARIFY,
        agents=[GUIDE],
        confidence=confidence,
        rationale="no request of the platform matched the message with confidence",
        recommendation=Recommendation(
            agent=GUIDE,
            text=question,
            next_steps=[
                "Upload a file",
                "What insights can I get from my data?",
                "Compare my data quality across files",
                "Create a workflow from my SOP",
            ],
        ),
    )


def _route(cue: _Cue, confidence: float, context: TurnContext) -> Analysis:
    rationale = f"the message asks for {cue.label}"
    if cue.route is Route.DIRECT:
        return Analysis(
            route=Route.DIRECT,
            agents=[GUIDE],
            pillar=cue.pillars[0],
            pillars=list(cue.pillars),
            confidence=confidence,
            rationale=rationale,
            recommendation=_upload(context),
        )
    liaisons = [f"{pillar.value}_liaison" for pillar in cue.pillars]
    return Analysis(
        route=cue.route,
        agents=[GUIDE, *liaisons],
        pillar=cue.pillars[-1] if cue.route is Route.COLLABORATION else cue.pillars[0],
        pillars=list(cue.pillars),
        confidence=confidence,
        rationale=rationale,
    )


def _upload(context: TurnContext) -> Recommendation:
    """The guide handles uploads itself: one ingest per attached file."""
    if not context.attached:
        return Recommendation(
            agent=GUIDE,
            text="Sure. Please attach the file you'd like to upload, then send your message again.",
            next_steps=["Attach a CSV, JSON, Excel or text file", "Send “Upload a file” with it"],
        )
    names = ", ".join(ref.name for ref in context.attached)
    return Recommendation(
        agent=GUIDE,
        text=f"I'll ingest {names} so you can work with it.",
        next_steps=["Ask for insights on it", "Compare it with another file"],
        intents=[
            Intent(name="ingest_file", realm=Realm.CONTENT, params={"file_id": ref.file_id})
            for ref in context.attached
        ],
    )
