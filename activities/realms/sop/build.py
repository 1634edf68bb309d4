"""From what an SOP says (`flow` items) to its control-flow graph.

Each block is compiled from the exits of what came before: a decision exits through the
ends of both branches (an absent else branch exits through the gateway's "no"), a
parallel run through its join, a jump or an end not at all. Jumps are drawn once every
step exists, so "go to step 7" may point forward and "go back to step 2" backward.
"""

import re
from dataclasses import dataclass, field

from activities.realms.sop.clauses import word_set
from activities.realms.sop.flow import Decision, Item, Jump, Parallel, Task, complementary
from activities.realms.sop.graph import Edge, Graph, Node, NodeKind

Exit = tuple[str, str | None]
"""A node the flow leaves from, and the label of the edge it leaves by."""


class NoSteps(ValueError):
    """The text holds no activity at all: there is no procedure to draw."""


@dataclass
class Built:
    graph: Graph
    missing: list[str] = field(default_factory=list)
    """Steps a jump named that the procedure does not have (that path ends there)."""
    truncated: int = 0
    """Tasks past the cap that were not drawn."""


@dataclass
class _Pending:
    exits: list[Exit]
    jump: Jump
    index: int


class _Compiler:
    def __init__(self, refs: dict[str, Item], max_tasks: int) -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.first: dict[int, str] = {}
        """id() of an item → the node it begins with."""
        self.refs = refs
        self.pending: list[_Pending] = []
        self.missing: list[str] = []
        self.max_tasks = max_tasks
        self.tasks = 0
        self.truncated = 0

    def node(self, kind: NodeKind, label: str, **fields: object) -> str:
        node_id = f"{kind.value[0]}{len(self.nodes) + 1}"
        self.nodes.append(Node(id=node_id, kind=kind, label=label, **fields))
        return node_id

    def link(self, exits: list[Exit], target: str, *, loop: bool = False) -> None:
        for source, label in exits:
            self.edges.append(Edge(source=source, target=target, label=label, loop=loop))

    def block(self, items: list[Item], exits: list[Exit]) -> list[Exit]:
        for item in items:
            exits = self.item(item, exits)
        return exits

    def item(self, item: Item, exits: list[Exit]) -> list[Exit]:
        if isinstance(item, Task):
            return self.task(item, exits)
        if isinstance(item, Decision):
            return self.decision(item, exits)
        if isinstance(item, Parallel):
            return self.parallel(item, exits)
        if isinstance(item, Jump):
            return self.jump(item, exits)
        end = self.node(NodeKind.END, item.text)
        self.first[id(item)] = end
        self.link(exits, end)
        return []

    def task(self, task: Task, exits: list[Exit]) -> list[Exit]:
        if self.tasks >= self.max_tasks:
            self.truncated += 1
            return exits
        self.tasks += 1
        node = self.node(
            NodeKind.TASK,
            task.text,
            actor=task.actor,
            accountable=task.accountable,
            phase=task.phase,
            ref=task.ref,
            inputs=task.inputs,
            outputs=task.outputs,
        )
        self.first[id(task)] = node
        self.link(exits, node)
        return [(node, None)]

    def decision(self, decision: Decision, exits: list[Exit]) -> list[Exit]:
        gateway = self.node(
            NodeKind.DECISION,
            f"{decision.condition}?",
            actor=decision.actor,
            ref=decision.ref,
            phase=decision.phase,
        )
        self.first[id(decision)] = gateway
        self.link(exits, gateway)
        then = self.block(decision.then, [(gateway, "yes")])
        if decision.otherwise is None:
            return [*then, (gateway, "no")]
        return [*then, *self.block(decision.otherwise, [(gateway, "no")])]

    def parallel(self, parallel: Parallel, exits: list[Exit]) -> list[Exit]:
        split = self.node(NodeKind.PARALLEL, "in parallel")
        self.first[id(parallel)] = split
        self.link(exits, split)
        ends = [self.block(branch, [(split, None)]) for branch in parallel.branches]
        join = self.node(NodeKind.JOIN, "all done")
        for branch_exits in ends:
            self.link(branch_exits, join)
        return [(join, None)]

    def jump(self, jump: Jump, exits: list[Exit]) -> list[Exit]:
        """Recorded now, drawn at the end; "repeat until" leaves through its "yes"."""
        if jump.until is None:
            self.pending.append(_Pending(exits, jump, len(self.nodes)))
            return []
        gateway = self.node(NodeKind.DECISION, f"{jump.until}?")
        self.first[id(jump)] = gateway
        self.link(exits, gateway)
        self.pending.append(_Pending([(gateway, "no")], jump, len(self.nodes)))
        return [(gateway, "yes")]

    def resolve(self, end: str) -> None:
        """Draw every jump to its target; a target nobody can find ends the flow, with a warning."""
        order = {node.id: index for index, node in enumerate(self.nodes)}
        for pending in self.pending:
            target = self.target(pending)
            if target is None:
                self.missing.append(str(pending.jump.ref))
                self.link(pending.exits, end)
                continue
            back = order[target] < pending.index or pending.jump.until is not None
            self.link(pending.exits, target, loop=back)

    def target(self, pending: _Pending) -> str | None:
        jump = pending.jump
        if jump.target is not None:
            return self.first.get(id(jump.target))
        if jump.ref is None:
            return self.repeated(pending)
        if jump.ref in self.refs:
            return self.first.get(id(self.refs[jump.ref]))
        return _by_words(jump.ref, self.nodes[: pending.index] if jump.back else self.nodes)

    def repeated(self, pending: _Pending) -> str | None:
        """ "Repeat until the form is complete": back to the step that asked "is it complete?",
        else to the step just before."""
        before = self.nodes[: pending.index - 1]
        for node in reversed(before):
            if node.kind == NodeKind.DECISION and complementary(
                node.label, pending.jump.until or ""
            ):
                feeding = [e.source for e in self.edges if e.target == node.id and not e.loop]
                if feeding and feeding[0] != self.nodes[0].id:
                    return feeding[0]
        tasks = [n for n in before if n.kind == NodeKind.TASK]
        return tasks[-1].id if tasks else None


def _by_words(words: str, nodes: list[Node]) -> str | None:
    """ "return to the review" → the latest task whose label shares the most words."""
    wanted = stems(words)
    best: tuple[float, int, str] | None = None
    for index, node in enumerate(nodes):
        if node.kind != NodeKind.TASK:
            continue
        shared = len(wanted & stems(node.label))
        if shared:
            score = (shared / len(wanted), index, node.id)
            best = max(best, score) if best else score
    return best[2] if best and best[0] >= 0.5 else None


STOP_WORDS = word_set(
    "the a an to of for and or in on with by it its this that their his her is are be must "
    "then all any step stage activity again"
)


def stems(text: str) -> set[str]:
    """Content words cut to five letters: "approves" and "approval" meet, "the" is gone."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS}


def build(items: list[Item], refs: dict[str, Item], max_tasks: int) -> Built:
    """The graph of a procedure's items: a start, its steps, and an end for every open path."""
    compiler = _Compiler(refs, max_tasks)
    start = compiler.node(NodeKind.START, "Start")
    exits = compiler.block(items, [(start, None)])
    if compiler.tasks == 0:
        raise NoSteps("no steps")
    ends = [n.id for n in compiler.nodes if n.kind == NodeKind.END]
    final = compiler.node(NodeKind.END, "End") if exits or not ends or compiler.pending else None
    if final is not None:
        compiler.link(exits, final)
    compiler.resolve(final or ends[-1])
    _drop_unreached_end(compiler)
    graph = Graph(nodes=compiler.nodes, edges=_dedup(compiler.edges))
    return Built(graph, compiler.missing, compiler.truncated)


def _drop_unreached_end(compiler: _Compiler) -> None:
    """The closing end event, when every path ended earlier, has nothing pointing at it."""
    targets = {edge.target for edge in compiler.edges}
    ends = [n for n in compiler.nodes if n.kind == NodeKind.END]
    unused = [n for n in ends if n.id not in targets]
    if len(unused) < len(ends):
        compiler.nodes = [n for n in compiler.nodes if n not in unused]


def _dedup(edges: list[Edge]) -> list[Edge]:
    seen: set[tuple[str, str, str | None]] = set()
    kept: list[Edge] = []
    for edge in edges:
        key = (edge.source, edge.target, edge.label)
        if key not in seen:
            seen.add(key)
            kept.append(edge)
    return kept
