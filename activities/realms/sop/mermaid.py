"""Mermaid `flowchart TD` drawn from the graph: every node and edge, labels escaped.

Labels are always quoted and every character Mermaid gives a meaning inside a label
(`#`, quotes, brackets, braces, pipes, angle brackets, backticks) is written as an
entity code, so no step text can end a label early or start markup.
"""

from activities.realms.sop.graph import Graph, Node, NodeKind

MAX_LABEL = 120
_ESCAPES = {
    "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "[": "#91;", "]": "#93;",
    "{": "#123;", "}": "#125;", "(": "#40;", ")": "#41;", "|": "#124;", "`": "#96;",
    "&": "#38;", ";": "#59;",
}  # fmt: skip
_SHAPES = {
    NodeKind.START: ('(["', '"])'),
    NodeKind.END: ('(["', '"])'),
    NodeKind.TASK: ('["', '"]'),
    NodeKind.DECISION: ('{"', '"}'),
    NodeKind.PARALLEL: ('{{"', '"}}'),
    NodeKind.JOIN: ('{{"', '"}}'),
}


def mermaid(graph: Graph) -> str:
    """One line per node, then one per edge; back edges are dotted so loops stand out."""
    lines = ["flowchart TD"]
    for node in graph.nodes:
        left, right = _SHAPES[node.kind]
        lines.append(f"    {node.id}{left}{label(_text(node))}{right}")
    for edge in graph.edges:
        arrow = "-.->" if edge.loop else "-->"
        tag = f'|"{label(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{tag} {edge.target}")
    return "\n".join(lines)


def _text(node: Node) -> str:
    if node.kind == NodeKind.PARALLEL:
        return "+ in parallel"
    if node.kind == NodeKind.JOIN:
        return "+ all done"
    return f"{node.actor}: {node.label}" if node.actor else node.label


def label(text: str) -> str:
    """A label Mermaid shows as written: length bounded, special characters as entities."""
    clipped = " ".join(text.split())
    if len(clipped) > MAX_LABEL:
        clipped = clipped[: MAX_LABEL - 1] + "…"
    return "".join(_ESCAPES.get(char, char) for char in clipped)
