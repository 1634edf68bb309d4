"""The Guide Agent's reading of a message in the light of the conversation.

References back ("retry that", "do the same for orders.csv") and follow-ups to the
liaison that is helping are resolved here, in front of whichever backend classifies,
so the LLM and the offline classifier hold a conversation the same way.
"""

from activities.agents import slots
from activities.agents.backend import AgentBackend
from activities.agents.liaisons import GUIDE, liaison_name
from models.agents import Analysis, LastExecution, Recommendation, Route, TurnContext
from models.execution import RETRYABLE
from models.files import FileRef

TOPIC_CHANGE = 0.75
"""While a liaison helps, the guide takes a message back only when this sure of a new topic."""


async def analyze(context: TurnContext, backend: AgentBackend) -> Analysis:
    """References first, then the backend's route, handed back to a helping liaison."""
    files = slots.focus(context)
    analysis = references(context, files) or hand_back(context, await backend.analyze(context))
    analysis.focus = [ref.file_id for ref in files]
    return analysis


def references(context: TurnContext, files: list[FileRef]) -> Analysis | None:
    """ "retry that" and "do the same for X" (the `files` it names) resolve against the
    last execution."""
    last = context.last_execution
    if last is None:
        return None
    if slots.asks_to_retry(context.text):
        return _direct(_retry(last), f"refers to execution {last.execution_id}")
    if slots.asks_to_repeat(context.text) and files:
        names = ", ".join(ref.name for ref in files)
        return _direct(_repeat(last, files), f"{last.intent.name} again, on {names}")
    return None


def hand_back(context: TurnContext, analysis: Analysis) -> Analysis:
    """A follow-up goes back to the liaison that is helping, unless the topic changed.

    The guide keeps messages it answers itself (greetings, help, out of scope) and
    takes over again when it is confident the user moved on to another pillar.
    """
    active = context.active_pillar
    if active is None or (analysis.route is Route.DIRECT and not analysis.pillars):
        return analysis
    if analysis.pillars == [active] and analysis.route is Route.LIAISON:
        return analysis
    if analysis.route is not Route.CLARIFY and analysis.confidence >= TOPIC_CHANGE:
        return analysis
    return Analysis(
        route=Route.LIAISON,
        agents=[GUIDE, liaison_name(active)],
        pillar=active,
        pillars=[active],
        confidence=analysis.confidence,
        rationale=f"follow-up for the {active.value} liaison; {analysis.rationale}",
    )


def _direct(recommendation: Recommendation, why: str) -> Analysis:
    intent = recommendation.intents[0]
    return Analysis(
        route=Route.DIRECT,
        agents=[GUIDE],
        pillar=intent.realm,
        pillars=[],
        confidence=1.0,
        rationale=f"reference to the conversation: {why}",
        recommendation=recommendation,
    )


def _retry(last: LastExecution) -> Recommendation:
    """A failed or cancelled execution is retried (linked); a finished one runs again."""
    name = last.intent.name.replace("_", " ")
    retry = last.status in RETRYABLE
    return Recommendation(
        agent=GUIDE,
        text=f"I'll {'retry' if retry else 'run'} {name} again.",
        next_steps=["Watch the execution below"],
        intents=[last.intent],
        retry_of=last.execution_id if retry else None,
    )


def _repeat(last: LastExecution, files: list[FileRef]) -> Recommendation:
    """The last intent with the named files in place of the ones it had."""
    params = dict(last.intent.params)
    ids = [ref.file_id for ref in files]
    if "file_ids" in params:
        intents = [last.intent.model_copy(update={"params": {**params, "file_ids": ids}})]
    elif "file_id" in params:
        intents = [
            last.intent.model_copy(update={"params": {**params, "file_id": file_id}})
            for file_id in ids
        ]
    else:
        intents = [last.intent]
    names = ", ".join(ref.name for ref in files)
    return Recommendation(
        agent=GUIDE,
        text=f"I'll do the same ({last.intent.name.replace('_', ' ')}) for {names}.",
        next_steps=["Compare the results"],
        intents=intents,
    )
