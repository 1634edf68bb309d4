"""How the Guide Agent reads a message: the interface, the routes, and a keyword analyzer.

Any analyzer (the trained classifier, an LLM) implements `Analyzer` and names one of
`LABELS`; `decide` turns that into the Guide Agent's `Analysis`, so the workflow and the
liaisons never change when the analyzer does.
"""

from dataclasses import dataclass
from typing import Protocol

from models.agents import Analysis, Recommendation, Route, TurnContext
from models.intents import Intent, Realm

GUIDE = "guide"
CLARIFY_THRESHOLD = 0.5
CAPABILITIES = [
    "Upload a file (CSV, JSON, Excel or text)",
    "What insights can I get from my data?",
    "Compare my data quality across files",
    "Create a workflow from my SOP",
]
OPTION_NAMES = {
    "upload": "upload a file",
    "insights": "get insights from your data",
    "compare": "compare data quality across files",
    "journey": "create a workflow from an SOP",
    "smalltalk": "hear what I can do",
    "out_of_scope": "something this platform doesn't do",
}


class Analyzer(Protocol):
    """Decides the route of one message."""

    def analyze(self, context: TurnContext) -> Analysis: ...


@dataclass(frozen=True)
class _Plan:
    route: Route
    pillars: tuple[Realm, ...]


_PLANS = {
    "upload": _Plan(Route.DIRECT, (Realm.CONTENT,)),
    "insights": _Plan(Route.LIAISON, (Realm.INSIGHTS,)),
    "journey": _Plan(Route.LIAISON, (Realm.JOURNEY,)),
    "compare": _Plan(Route.COLLABORATION, (Realm.CONTENT, Realm.INSIGHTS)),
    "smalltalk": _Plan(Route.DIRECT, ()),
    "out_of_scope": _Plan(Route.DIRECT, ()),
}
LABELS = tuple(_PLANS)


def decide(
    label: str,
    confidence: float,
    context: TurnContext,
    rationale: str,
    options: list[str] | None = None,
) -> Analysis:
    """The Guide Agent's analysis for a label (or "clarify")."""
    if label == "clarify":
        return _clarify(confidence, rationale, options or [])
    plan = _PLANS[label]
    liaisons = [f"{pillar.value}_liaison" for pillar in plan.pillars]
    routed = plan.route in (Route.LIAISON, Route.COLLABORATION)
    return Analysis(
        route=plan.route,
        agents=[GUIDE, *liaisons] if routed else [GUIDE],
        pillar=plan.pillars[-1] if plan.pillars else None,
        pillars=list(plan.pillars),
        confidence=confidence,
        rationale=rationale,
        recommendation=None if routed else _guide_answer(label, context),
    )


def _guide_answer(label: str, context: TurnContext) -> Recommendation:
    if label == "upload":
        return _upload(context)
    if label == "smalltalk":
        return Recommendation(
            agent=GUIDE,
            text="Hi! I can ingest your files, profile them and find insights, compare data "
            "quality across files, and turn a standard operating procedure into a workflow.",
            next_steps=CAPABILITIES,
        )
    return Recommendation(
        agent=GUIDE,
        text="Sorry, that's outside what this platform does. I work with your data files "
        "and procedures: ingesting, profiling, comparing and turning SOPs into workflows.",
        next_steps=CAPABILITIES,
    )


def _clarify(confidence: float, rationale: str, options: list[str]) -> Analysis:
    named = [OPTION_NAMES[o] for o in options if o in OPTION_NAMES and o != "out_of_scope"][:2]
    question = (
        f"Do you want to {' or '.join(named)}?"
        if named
        else "I'm not sure what you'd like to do. Do you want to upload a file, get insights "
        "from your data, compare data quality across files, or create a workflow from an SOP?"
    )
    offered = [o for o in options if o in OPTION_NAMES and o != "out_of_scope"]
    return Analysis(
        route=Route.CLARIFY,
        agents=[GUIDE],
        confidence=confidence,
        rationale=f"{rationale}; not confident enough to act",
        recommendation=Recommendation(
            agent=GUIDE,
            text=question,
            next_steps=[OPTION_NAMES[o].capitalize() for o in offered] or CAPABILITIES,
        ),
        options=offered,
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


@dataclass(frozen=True)
class _Cue:
    """A family of phrasings that points at one label."""

    label: str
    words: tuple[str, ...]


_CUES = (
    _Cue("compare", ("compare", "comparison", "across files", "side by side", "versus", " vs ")),
    _Cue("upload", ("upload", "ingest", "import", "attach", "add a file", "add this file")),
    _Cue(
        "insights",
        ("insight", "profile", "analy", "statistic", "pattern", "trend", "quality", "summar"),
    ),
    _Cue("journey", ("sop", "workflow", "procedure", "process", "flowchart", "runbook")),
)


class KeywordAnalyzer:
    """The first, deterministic analyzer: cue words per label, scored and compared.

    Kept as the `keyword` backend: a baseline for the trained classifier's benchmark.
    """

    def analyze(self, context: TurnContext) -> Analysis:
        """Score each cue family; a clear winner routes, anything else asks."""
        text = " " + " ".join(context.text.lower().split()) + " "
        scored = sorted(
            (
                (sum(word in text for word in cue.words), index, cue)
                for index, cue in enumerate(_CUES)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        hits, _, best = scored[0]
        confidence = _confidence(hits, scored[1][0], first_is_priority=best is _CUES[0])
        rationale = f"cue words point at {best.label}"
        if confidence < CLARIFY_THRESHOLD:
            return decide("clarify", confidence, context, "no request matched with confidence")
        return decide(best.label, confidence, context, rationale)


def _confidence(hits: int, runner_up: int, *, first_is_priority: bool) -> float:
    """Confidence grows with matching cues and shrinks when another route matches as well."""
    if hits == 0:
        return 0.2
    if hits == runner_up and not first_is_priority:
        return 0.4
    return min(0.95, 0.6 + 0.15 * hits - 0.1 * runner_up)
