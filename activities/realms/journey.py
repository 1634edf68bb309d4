"""Journey realm: standard operating procedures in, workflow definitions out.

Any common style is read (numbered and nested lists, bullets, "Step N:" headings,
Markdown tables of steps, RACI tables, prose, one sentence per line; see
`activities/realms/sop/`) into a control-flow graph, which is drawn as Mermaid and
exported as BPMN 2.0. With a model configured, the model reads the SOP into the same
graph and the offline reader answers whenever it cannot. Nothing is dropped in silence:
lines that hold no step, and anything cut to keep the result small, come back as
`warnings`.
"""

import json
import re
from typing import Literal

from pydantic import BaseModel

from activities.catalog.journey import CREATE_WORKFLOW_FROM_SOP, CreateWorkflowFromSopParams
from activities.realms.context import RealmContext
from activities.realms.errors import bad_file
from activities.realms.reading.options import ReadWarning
from activities.realms.sop.bpmn import to_bpmn
from activities.realms.sop.build import NoSteps, build
from activities.realms.sop.document import Document, read_document
from activities.realms.sop.graph import Edge, Graph, Node, NodeKind
from activities.realms.sop.llm import SopModel
from activities.realms.sop.mermaid import mermaid
from activities.realms.spec import IntentSpec
from activities.realms.tables import read_text

MAX_TASKS = 300
"""Steps drawn at most; past it the rest are counted in a warning."""
RESULT_BUDGET = 240_000
"""Characters of JSON a result may take, so its event stays under Temporal's 256 KB: past
it the BPMN goes without its diagram layout, then without the BPMN, each with a warning."""
NO_STEPS = (
    "no steps found: write the procedure as numbered or bulleted steps, a table of steps, "
    "or sentences that say who does what"
)


class WorkflowDefinition(BaseModel):
    title: str
    reader: Literal["offline", "llm"]
    phases: list[str]
    actors: list[str]
    nodes: list[Node]
    edges: list[Edge]
    steps: int
    decisions: int
    loops: int
    parallels: int
    inputs: list[str]
    outputs: list[str]
    mermaid: str
    bpmn: str
    summary: str
    warnings: list[ReadWarning]
    """What the reader did not use or had to cut, in the shape every realm reports it."""


def create_workflow_from_sop(
    ctx: RealmContext, params: CreateWorkflowFromSopParams
) -> WorkflowDefinition:
    """Read the SOP from a file or from the params' text."""
    if params.file_id is not None:
        ref, text = read_text(ctx, params.file_id)
        fallback_title = ref.name.rsplit(".", 1)[0]
    else:
        text, fallback_title = params.text or "", "Procedure"
    ctx.progress("reading the procedure", 20.0)
    if ctx.sop_model is not None:
        return read_with_model(ctx.sop_model, text, fallback_title)
    return parse_sop(text, fallback_title)


def read_with_model(model: SopModel, text: str, fallback_title: str) -> WorkflowDefinition:
    """The model's graph; when it has none that validates, the offline reader's, with why."""
    answer, reason = model.read(text)
    if answer is None:
        flow = parse_sop(text, fallback_title)
        message = f"{reason}; the offline reader read the procedure instead"
        flow.warnings.insert(0, ReadWarning(kind="model_fallback", message=message))
        return flow
    graph = Graph(nodes=answer.nodes, edges=answer.edges)
    return definition(graph, answer.title or fallback_title, "llm", Document(), [])


def parse_sop(text: str, fallback_title: str = "Procedure") -> WorkflowDefinition:
    """The offline reader: structure, then language, then the graph."""
    doc = read_document(text)
    try:
        built = build(doc.items, doc.refs, MAX_TASKS)
    except NoSteps as err:
        raise bad_file("invalid_sop", NO_STEPS) from err
    warnings = _skipped(doc)
    if built.missing:
        warnings.append(
            ReadWarning(
                kind="unknown_step",
                count=len(built.missing),
                examples=built.missing[:3],
                message="a jump names a step the procedure does not have; that path ends there",
            )
        )
    if built.truncated:
        warnings.append(
            ReadWarning(
                kind="truncated",
                count=built.truncated,
                message=f"the procedure has {MAX_TASKS + built.truncated} steps; the first "
                f"{MAX_TASKS} were drawn and {built.truncated} were left out: split it into "
                "smaller procedures",
            )
        )
    return definition(built.graph, doc.title or fallback_title, "offline", doc, warnings)


def definition(
    graph: Graph,
    title: str,
    reader: Literal["offline", "llm"],
    doc: Document,
    warnings: list[ReadWarning],
) -> WorkflowDefinition:
    """The result every reader returns: the graph, its counts, Mermaid and BPMN."""
    graph = merge_actors(graph)
    tasks = graph.of_kind(NodeKind.TASK)
    decisions = len(graph.of_kind(NodeKind.DECISION))
    loops = sum(1 for edge in graph.edges if edge.loop)
    actors = graph.actors()
    result = WorkflowDefinition(
        title=title,
        reader=reader,
        phases=doc.phases,
        actors=actors,
        nodes=graph.nodes,
        edges=graph.edges,
        steps=len(tasks),
        decisions=decisions,
        loops=loops,
        parallels=len(graph.of_kind(NodeKind.PARALLEL)),
        inputs=list(dict.fromkeys(doc.inputs)),
        outputs=list(dict.fromkeys(doc.outputs)),
        mermaid=mermaid(graph),
        bpmn="",
        summary=f"{title}: {len(tasks)} steps, {decisions} decisions, {loops} loops, "
        f"actors {', '.join(actors) or 'not named'}.",
        warnings=warnings,
    )
    room = RESULT_BUDGET - len(result.model_dump_json())
    result.bpmn = _bpmn_within(graph, title, room, result.warnings)
    return result


def _bpmn_within(graph: Graph, title: str, room: int, warnings: list[ReadWarning]) -> str:
    """The BPMN with its layout if it fits the result, else without, else none (said so)."""
    bpmn = to_bpmn(graph, title)
    if len(json.dumps(bpmn)) <= room:
        return bpmn
    bpmn = to_bpmn(graph, title, diagram=False)
    if len(json.dumps(bpmn)) <= room:
        message = "the BPMN has no diagram layout: with it the result would be too large"
        warnings.append(ReadWarning(kind="bpmn_layout", message=message))
        return bpmn
    message = "no BPMN: the procedure is too large for one result; split it up"
    warnings.append(ReadWarning(kind="bpmn_omitted", message=message))
    return ""


def merge_actors(graph: Graph) -> Graph:
    """One name per role, whatever its case ("the Clerk", "clerk" → "Clerk"); roles stay apart."""
    names: dict[str, str] = {}
    for node in graph.nodes:
        for name in (node.actor, node.accountable):
            if name:
                key = actor_key(name)
                names[key] = _better(names.get(key), name)

    def named(name: str | None) -> str | None:
        return names[actor_key(name)] if name else None

    nodes = [
        node.model_copy(update={"actor": named(node.actor), "accountable": named(node.accountable)})
        for node in graph.nodes
    ]
    return Graph(nodes=nodes, edges=graph.edges)


def actor_key(name: str) -> str:
    """How two spellings of a role are compared: case, articles and spacing do not count."""
    return _tidy(name).lower()


def _better(current: str | None, candidate: str) -> str:
    """The spelling shown: the first one met, articles dropped, capitalised."""
    if current is not None:
        return current
    tidy = _tidy(candidate)
    return tidy[:1].upper() + tidy[1:]


def _tidy(name: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join(name.split()), flags=re.IGNORECASE)


def _skipped(doc: Document) -> list[ReadWarning]:
    """One warning for every line or sentence the reader did not turn into the flow."""
    if not doc.skipped:
        return []
    examples = [f"line {line}: {text[:60]}" if line else text[:60] for line, text in doc.skipped]
    return [
        ReadWarning(
            kind="skipped",
            count=len(doc.skipped),
            examples=examples[:3],
            message=f"{len(doc.skipped)} lines or sentences hold no step and were skipped",
        )
    ]


INTENTS = [IntentSpec(CREATE_WORKFLOW_FROM_SOP, create_workflow_from_sop)]
