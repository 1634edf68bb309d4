"""Domain liaisons: each turns a request for its pillar into an intent, or asks.

Adding a liaison means adding one function here and naming it in `LIAISONS`.
"""

from collections.abc import Callable

from activities.agents import asking
from activities.agents.slots import date_column
from models.agents import Recommendation, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm

TABULAR_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".xlsx")
TEXT_SUFFIXES = (".md", ".markdown", ".txt")


def liaison_name(pillar: Realm) -> str:
    """The agent name a liaison shows in events."""
    return f"{pillar.value}_liaison"


def in_scope(context: TurnContext, suffixes: tuple[str, ...]) -> list[FileRef]:
    """The files a request means: attached now, else named in it, else all of the session's."""
    files = context.attached or context.focus or context.session_files
    return [ref for ref in files if ref.name.lower().endswith(suffixes)]


def insights(context: TurnContext) -> Recommendation:
    """Answer a question about the data (query_data); else profile it, or look for findings
    when they ask for trends, patterns or a date column."""
    agent = liaison_name(Realm.INSIGHTS)
    files = in_scope(context, TABULAR_SUFFIXES)
    if not files:
        return Recommendation(
            agent=agent,
            text="I need some data first. Upload a CSV, JSON or Excel file and ask again.",
            next_steps=["Upload a file"],
        )
    answer = asking.answer_plan(context, agent, files)
    if answer is not None:
        return answer
    column = date_column(context.text)
    wants_findings = column is not None or any(
        w in context.text.lower() for w in ("trend", "pattern", "finding")
    )
    name = "generate_insights" if wants_findings else "profile_data"
    listed = ", ".join(ref.name for ref in files)
    over = f" over the {column} column" if column else ""
    return Recommendation(
        agent=agent,
        text=f"I'll {'look for findings in' if wants_findings else 'profile'} {listed}{over}.",
        next_steps=["Compare data quality across files", "Ask for trends over a date column"],
        intents=intents_for(name, files, context),
    )


def journey(context: TurnContext) -> Recommendation:
    """Build a workflow from the SOP among the files, or from the message itself."""
    agent = liaison_name(Realm.JOURNEY)
    sops = in_scope(context, TEXT_SUFFIXES)
    if sops:
        sop = sops[-1]
        return Recommendation(
            agent=agent,
            text=f"I'll turn the procedure in {sop.name} into a workflow.",
            next_steps=["Review the steps and decisions", "Ask for changes to the flow"],
            intents=intents_for("create_workflow_from_sop", [sop], context),
        )
    if _looks_like_sop(context.text):
        return Recommendation(
            agent=agent,
            text="I'll turn the procedure in your message into a workflow.",
            next_steps=["Review the steps and decisions"],
            intents=intents_for("create_workflow_from_sop", [], context),
        )
    return Recommendation(
        agent=agent,
        text="Please upload your SOP as a text or Markdown file, or paste its steps here.",
        next_steps=["Upload the SOP", "Paste numbered steps in a message"],
    )


def content(context: TurnContext) -> Recommendation:
    """Say which files are in scope, and ingest what was just attached."""
    agent = liaison_name(Realm.CONTENT)
    files = in_scope(context, TABULAR_SUFFIXES)
    listed = ", ".join(ref.name for ref in files) or "no tabular files yet"
    return Recommendation(
        agent=agent,
        text=f"Files in scope: {listed}.",
        intents=intents_for("ingest_file", context.attached, context),
    )


PILLAR_INTENTS: dict[Realm, tuple[str, ...]] = {
    Realm.CONTENT: ("ingest_file", "describe_file", "list_files"),
    Realm.INSIGHTS: ("profile_data", "generate_insights", "query_data"),
    Realm.JOURNEY: ("create_workflow_from_sop",),
}
"""The intents each liaison may recommend (the Runtime's registry validates them)."""
PER_FILE = ("ingest_file", "describe_file")


def intents_for(name: str, files: list[FileRef], context: TurnContext) -> list[Intent]:
    """A liaison's chosen intent with its params, from the files and the message's slots."""
    realm = next(pillar for pillar, names in PILLAR_INTENTS.items() if name in names)
    ids = [ref.file_id for ref in files]
    if name in PER_FILE:
        return [Intent(name=name, realm=realm, params={"file_id": i}) for i in ids]
    if name == "create_workflow_from_sop":
        params: dict[str, object] = {"file_id": ids[-1]} if ids else {"text": context.text}
        return [Intent(name=name, realm=realm, params=params)]
    params = {"file_ids": ids}
    if name == "generate_insights" and (column := date_column(context.text)):
        params["date_column"] = column
    return [Intent(name=name, realm=realm, params=params)]


def _looks_like_sop(text: str) -> bool:
    """Several lines of steps in the message itself count as an SOP."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 3


LIAISONS: dict[Realm, Callable[[TurnContext], Recommendation]] = {
    Realm.CONTENT: content,
    Realm.INSIGHTS: insights,
    Realm.JOURNEY: journey,
}
