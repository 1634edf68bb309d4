"""The Journey liaison: a standard operating procedure in, a workflow out."""

from activities.agents.liaisons.base import Label, Liaison, candidates, plan
from activities.agents.slots import date_column, names_a_column, normalize, ordinal
from activities.catalog import Catalog
from models.agents import Recommendation, Route, TurnContext
from models.files import FileRef
from models.intents import Realm

BUILD = "create_workflow_from_sop"


def recommend(context: TurnContext, catalog: Catalog) -> Recommendation:
    """Build a workflow from the SOP among the files (asking which, when several could be
    meant), or from steps pasted in the message itself."""
    sops = candidates(context, catalog.entry(BUILD).file_kinds)
    if _looks_like_sop(context.text):
        return Recommendation(
            agent=LIAISON.name,
            text="I'll turn the procedure in your message into a workflow.",
            next_steps=["Review the steps and decisions"],
            intents=plan(catalog, BUILD, [], context),
        )
    column = _column(context)
    if column is not None:
        return Recommendation(
            agent=LIAISON.name,
            text=f"A workflow is built from a procedure's steps, so it has no {column} column "
            "to use. Is that about your data? Ask me about it by name and I'll look.",
            next_steps=["What insights can I get from my data?", "Create a workflow from my SOP"],
        )
    sops = _picked(context, sops)
    if len(sops) > 1:
        listed = " or ".join(ref.name for ref in sops)
        return Recommendation(
            agent=LIAISON.name,
            text=f"Which procedure should I turn into a workflow: {listed}?",
            next_steps=[f"Use {ref.name}" for ref in sops][:5],
        )
    if sops:
        return Recommendation(
            agent=LIAISON.name,
            text=f"I'll turn the procedure in {sops[0].name} into a workflow.",
            next_steps=["Review the steps and decisions", "Ask for changes to the flow"],
            intents=plan(catalog, BUILD, sops, context),
        )
    return Recommendation(
        agent=LIAISON.name,
        text="Please upload your SOP as a text or Markdown file, or paste its steps here.",
        next_steps=["Upload the SOP", "Paste numbered steps in a message"],
    )


def _picked(context: TurnContext, sops: list[FileRef]) -> list[FileRef]:
    """Of several SOPs, the one "the second one" or "the other one" means, else all."""
    position = ordinal(context.text)
    if len(sops) > 1 and position is not None and position < len(sops):
        return [sops[position]]
    last = context.last_execution
    used = last.intent.params.get("file_id") if last and last.intent.name == BUILD else None
    others = [ref for ref in sops if ref.file_id != used]
    if len(sops) > 1 and "other" in context.text.lower() and len(others) == 1:
        return others
    return sops


def _column(context: TurnContext) -> str | None:
    """The column a message names when it names no file ("use the amount column",
    "unit_price"): data talk, not a procedure."""
    if context.attached or context.focus:
        return None
    text = normalize(context.text).strip(" .!?")
    return date_column(text) or (text if names_a_column(text) else None)


def _looks_like_sop(text: str) -> bool:
    """Several lines of steps in the message itself count as an SOP."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 3


JOURNEY = Label(
    name="journey",
    route=Route.LIAISON,
    pillars=(Realm.JOURNEY,),
    description="turn an SOP into a workflow",
    option="create a workflow from an SOP",
    capability="Create a workflow from my SOP",
    cues=("sop", "workflow", "procedure", "process", "flowchart", "runbook"),
    examples=(
        "Create a workflow from my SOP",
        "turn this procedure into a workflow",
        "make a flowchart from my standard operating procedure",
        "build a process diagram from the document",
        "convert the SOP to steps",
        "map out this process",
        "I have a runbook, make it a workflow",
        "create a process flow",
        "design a workflow from these instructions",
        "extract the steps from my procedure",
        "draw the process",
        "workflow from sop",
        "generate a workflow definition",
        "model this business process",
        "who does what in this procedure",
        "turn my checklist into a flow",
        "make a diagram of the approval process",
        "create workflow",
        "SOP to workflow please",
        "visualize the procedure as a flowchart",
        "process my operating procedure document",
        "break the procedure into steps and decisions",
        "build a mermaid chart of the process",
        "convert these instructions into a workflow",
        "workflow for onboarding from this doc",
        "make a journey map from my sop",
        "create a flow from the steps below",
        "outline the process steps",
        "turn the refund policy into a process",
        "sop workflow",
        "make a workfow from my procedure",
        "create a flowchart",
        "automate this procedure as a workflow",
        "what are the steps and decisions in my SOP",
        "I want a process model of this document",
        "make my runbook into a diagram",
        "from this standard operating procedure build a workflow",
        "flow chart of the escalation process",
        "diagram the handoffs between teams",
        "define a workflow based on the procedure",
        "automate this SOP",
        "please automate my procedure",
        "automate our returns procedure",
        "a diagram of the process",
        "turn the steps into a flow",
        "workflow for this document",
        "build a process flow from my document",
    ),
)
LIAISON = Liaison(Realm.JOURNEY, recommend, (JOURNEY,))
