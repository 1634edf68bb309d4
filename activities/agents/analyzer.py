"""How the Guide Agent reads a message: the interface, the routes, and a keyword analyzer.

Any analyzer (the trained classifier, an LLM) implements `Analyzer` and names one of the
registered labels (`activities.agents.liaisons`); `decide` turns that into the Guide
Agent's `Analysis`, so the workflow and the liaisons never change when the analyzer does.
"""

from typing import Protocol

from activities.agents.liaisons import GUIDE as GUIDE
from activities.agents.liaisons import Liaisons, default_liaisons
from models.agents import Analysis, Recommendation, Route, TurnContext

CLARIFY_THRESHOLD = 0.5


class Analyzer(Protocol):
    """Decides the route of one message."""

    def analyze(self, context: TurnContext) -> Analysis: ...


def decide(
    label: str,
    confidence: float,
    context: TurnContext,
    rationale: str,
    options: list[str] | None = None,
    liaisons: Liaisons | None = None,
) -> Analysis:
    """The Guide Agent's analysis for a label (or "clarify")."""
    liaisons = liaisons or default_liaisons()
    if label == "clarify":
        return clarify(confidence, rationale, options or [], liaisons)
    plan = liaisons.label(label)
    routed = plan.route in (Route.LIAISON, Route.COLLABORATION)
    answer = None
    if not routed and plan.answer is not None:
        answer = plan.answer(context, liaisons.catalog)
        if not answer.next_steps:
            answer = answer.model_copy(update={"next_steps": liaisons.capabilities()})
    return Analysis(
        route=plan.route,
        agents=[GUIDE, *(liaisons.liaison(p).name for p in plan.pillars)] if routed else [GUIDE],
        pillar=plan.pillars[-1] if plan.pillars else None,
        pillars=list(plan.pillars),
        confidence=confidence,
        rationale=rationale,
        recommendation=answer,
    )


def clarify(
    confidence: float, rationale: str, options: list[str], liaisons: Liaisons | None = None
) -> Analysis:
    """A question back: the likeliest options by name, or everything the platform does."""
    liaisons = liaisons or default_liaisons()
    offered = [o for o in options if o in liaisons.offered()]
    named = [liaisons.label(o).option for o in offered][:2]
    question = (
        f"Do you want to {' or '.join(named)}?"
        if named
        else "I'm not sure what you'd like to do. Do you want to "
        + _either([liaisons.label(o).option for o in liaisons.offered() if o != "smalltalk"])
        + "?"
    )
    return Analysis(
        route=Route.CLARIFY,
        agents=[GUIDE],
        confidence=confidence,
        rationale=f"{rationale}; not confident enough to act",
        recommendation=Recommendation(
            agent=GUIDE,
            text=question,
            next_steps=[liaisons.label(o).option.capitalize() for o in offered]
            or liaisons.capabilities(),
        ),
        options=offered,
    )


def _either(options: list[str]) -> str:
    """ "a, b, or c"."""
    return ", ".join(options[:-1]) + f", or {options[-1]}" if len(options) > 1 else options[0]


class KeywordAnalyzer:
    """The first, deterministic analyzer: cue words per label, scored and compared.

    Kept as the `keyword` backend: a baseline for the trained classifier's benchmark.
    A label consulting several liaisons is scored first: its requests use the others' words.
    """

    def __init__(self, liaisons: Liaisons | None = None) -> None:
        self._liaisons = liaisons or default_liaisons()
        cued = [label for label in self._liaisons.labels.values() if label.cues]
        self._cues = sorted(cued, key=lambda label: label.route is not Route.COLLABORATION)

    def analyze(self, context: TurnContext) -> Analysis:
        """Score each cue family; a clear winner routes, anything else asks."""
        text = " " + " ".join(context.text.lower().split()) + " "
        scored = sorted(
            (
                (sum(word in text for word in cue.cues), index, cue)
                for index, cue in enumerate(self._cues)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        hits, _, best = scored[0]
        confidence = _confidence(hits, scored[1][0], first_is_priority=best is self._cues[0])
        rationale = f"cue words point at {best.name}"
        if confidence < CLARIFY_THRESHOLD:
            return decide(
                "clarify",
                confidence,
                context,
                "no request matched with confidence",
                [],
                self._liaisons,
            )
        return decide(best.name, confidence, context, rationale, None, self._liaisons)


def _confidence(hits: int, runner_up: int, *, first_is_priority: bool) -> float:
    """Confidence grows with matching cues and shrinks when another route matches as well."""
    if hits == 0:
        return 0.2
    if hits == runner_up and not first_is_priority:
        return 0.4
    return min(0.95, 0.6 + 0.15 * hits - 0.1 * runner_up)
