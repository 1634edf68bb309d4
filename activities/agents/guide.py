"""The Guide Agent's reading of a message in the light of the conversation.

References back ("retry that", "do the same for orders.csv") and follow-ups to the
liaison that is helping are resolved here, in front of whichever backend classifies,
so the LLM and the offline classifier hold a conversation the same way.
"""

from activities.agents import slots
from activities.agents.analyzer import decide
from activities.agents.backend import AgentBackend
from activities.agents.liaisons import GUIDE, Liaisons, default_liaisons, liaison_name
from activities.agents.liaisons.base import of_kind
from models.agents import Analysis, LastExecution, Recommendation, Route, TurnContext
from models.execution import RETRYABLE
from models.files import FileRef
from models.intents import Realm

TOPIC_CHANGE = 0.95
"""A follow-up leaves the helping liaison for a new topic named in the topic's own words,
or one the backend is at least this sure of."""


async def analyze(context: TurnContext, backend: AgentBackend) -> Analysis:
    """References first, then the backend's route, handed back to a helping liaison."""
    files = slots.focus(context)
    liaisons = backend.liaisons
    analysis = references(context, files)
    if analysis is None:
        read = pinned(context, await backend.analyze(context), liaisons)
        analysis = hand_back(context, one_file(context, read, liaisons), liaisons)
    analysis = claimed(context, analysis, liaisons)
    analysis = with_files(context, analysis, liaisons)
    analysis.focus = [ref.file_id for ref in files]
    return analysis


def pinned(context: TurnContext, analysis: Analysis, liaisons: Liaisons) -> Analysis:
    """An unsure reading is settled by its likeliest option when the message asks for it in
    that option's own cue words and no other's ("compare my two spreadsheets"), or names
    files only that option's liaison works on ("how does sales.csv look")."""
    if analysis.route is not Route.CLARIFY or not analysis.options:
        return analysis
    likeliest = liaisons.label(analysis.options[0])
    lowered = f" {slots.normalize(context.text)} "
    worded = [o for o in analysis.options if any(w in lowered for w in liaisons.label(o).cues)]
    if worded == [likeliest.name]:
        why = "asked for in its words"
    elif likeliest.route is Route.LIAISON and _works_on(context, likeliest.pillars[0], liaisons):
        why = "names files it works on"
    else:
        return analysis
    return decide(
        likeliest.name,
        analysis.confidence,
        context,
        f"{why}: {likeliest.name}; {analysis.rationale}",
        None,
        liaisons,
    )


def one_file(context: TurnContext, analysis: Analysis, liaisons: Liaisons) -> Analysis:
    """A reading that consults several liaisons (a comparison) of a message naming one file
    and none of its cue words, with no file sent, is about that file: it goes to the liaison
    the plan ends with ("what's the data quality of orders.csv" is a profile, not a
    comparison)."""
    if analysis.route is not Route.COLLABORATION or context.attached:
        return analysis
    if len(slots.focus(context)) != 1:
        return analysis
    if _in_its_words(context.text, analysis, liaisons):
        return analysis
    name = next(
        (
            name
            for name, label in liaisons.labels.items()
            if label.route is Route.LIAISON and list(label.pillars) == [analysis.pillar]
        ),
        None,
    )
    if name is None:
        return analysis
    why = f"names one file: {name}; {analysis.rationale}"
    return decide(name, analysis.confidence, context, why, None, liaisons)


def _works_on(context: TurnContext, pillar: Realm, liaisons: Liaisons) -> bool:
    """Whether the message names files, all of kinds the pillar's intents take."""
    named = slots.focus(context)
    kinds = {kind for entry in liaisons.catalog.in_realm(pillar) for kind in entry.file_kinds}
    return bool(named) and of_kind(named, frozenset(kinds)) == named


def claimed(context: TurnContext, analysis: Analysis, liaisons: Liaisons) -> Analysis:
    """A label that claims the message from what the session holds takes it: the guide's
    own labels whatever the backend read (a bare "ok thanks"), a liaison's when the
    backend could only ask or chat about it (a question naming the user's columns)."""
    guides_own = analysis.route is Route.CLARIFY or (
        analysis.route is Route.DIRECT and not analysis.pillars
    )
    name = liaisons.claimed(context)
    if name is None or analysis.rationale.startswith("reference"):
        return analysis
    label = liaisons.label(name)
    if not guides_own and label.pillars:
        return analysis
    why = f"claimed by {name}; {analysis.rationale}"
    return decide(name, analysis.confidence, context, why, None, liaisons)


def with_files(context: TurnContext, analysis: Analysis, liaisons: Liaisons) -> Analysis:
    """Files sent with a message the guide would only ask or chat about are to be taken in
    ("here you go", "and this one too")."""
    label = liaisons.for_attachments()
    guides_own = analysis.route is Route.CLARIFY or (
        analysis.route is Route.DIRECT and not analysis.pillars
    )
    if not context.attached or not guides_own or label is None:
        return analysis
    why = f"files sent with it; {analysis.rationale}"
    return decide(label, analysis.confidence, context, why, None, liaisons)


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


def hand_back(
    context: TurnContext, analysis: Analysis, liaisons: Liaisons | None = None
) -> Analysis:
    """A follow-up goes back to the liaison that is helping; anything else is the backend's.

    The conversation decides, not one confidence: a message that names a file the
    liaison works on or a column, picks one of the files, refines the last turn, or
    answers the liaison's open question (a file attached, steps pasted) follows up. It
    leaves the liaison only for a new topic asked for in that topic's own words ("compare
    ...", "... a workflow") or one the backend is all but sure of (`TOPIC_CHANGE`). A
    message with none of these is not a follow-up: a clear new request routes afresh, and
    one the backend cannot read gets the guide's clarifying question, never the
    liaison's intent. The guide keeps what it answers itself (greetings, help, out of
    scope). After small talk, a follow-up still refers to the last execution's liaison.
    """
    liaisons = liaisons or default_liaisons()
    if analysis.route is Route.DIRECT and not analysis.pillars:
        return analysis
    helping = context.active_pillar or _last_liaison(context, liaisons)
    if helping is None or (analysis.route is Route.LIAISON and analysis.pillars == [helping]):
        return analysis
    why = follow_up(context, helping, liaisons)
    if why is None:
        return analysis
    if analysis.route is not Route.CLARIFY and (
        analysis.confidence >= TOPIC_CHANGE or _in_its_words(context.text, analysis, liaisons)
    ):
        return analysis
    return Analysis(
        route=Route.LIAISON,
        agents=[GUIDE, liaison_name(helping)],
        pillar=helping,
        pillars=[helping],
        confidence=analysis.confidence,
        rationale=f"follow-up for the {helping.value} liaison ({why}); {analysis.rationale}",
    )


def follow_up(context: TurnContext, helping: Realm, liaisons: Liaisons | None = None) -> str | None:
    """Why the message continues the helping liaison's last turn, or None if it does not."""
    liaisons = liaisons or default_liaisons()
    text = context.text
    kinds = {kind for entry in liaisons.catalog.in_realm(helping) for kind in entry.file_kinds}
    if open_question(context, helping):
        if of_kind(context.attached, frozenset(kinds)):
            return "answers its question with a file"
        if len([line for line in text.splitlines() if line.strip()]) >= 3:
            return "answers its question with pasted text"
    named = slots.focus(context)
    if named:
        return "names a file" if of_kind(named, frozenset(kinds)) else None
    if slots.ordinal(text) is not None:
        return "picks one of the files"
    if slots.date_column(text) or slots.names_a_column(text):
        return "names a column"
    if slots.refines(text):
        return "takes the last turn further"
    return None


def _in_its_words(text: str, analysis: Analysis, liaisons: Liaisons) -> bool:
    """Whether the message uses the cue words of the topic the backend read in it."""
    lowered = f" {slots.normalize(text)} "
    return any(
        (label.route, list(label.pillars)) == (analysis.route, analysis.pillars)
        and any(word in lowered for word in label.cues)
        for label in liaisons.labels.values()
    )


def open_question(context: TurnContext, helping: Realm) -> bool:
    """The liaison's last turn asked instead of running: nothing of its realm ran since."""
    last = context.last_execution
    return last is None or last.intent.realm is not helping


def _last_liaison(context: TurnContext, liaisons: Liaisons) -> Realm | None:
    """The liaison whose execution the session ran last, if the guide routes to it."""
    last = context.last_execution
    if last is None or last.intent.realm is None:
        return None
    routed = {
        label.pillars[0] for label in liaisons.labels.values() if label.route is Route.LIAISON
    }
    return last.intent.realm if last.intent.realm in routed else None


def _direct(recommendation: Recommendation, why: str) -> Analysis:
    intent = recommendation.intents[0]
    return Analysis(
        route=Route.DIRECT,
        agents=[GUIDE],
        pillar=intent.realm,
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
