"""The control-flow graph every SOP reader produces, and every drawing is made from."""

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator


class NodeKind(StrEnum):
    START = "start"
    TASK = "task"
    DECISION = "decision"
    """An exclusive gateway that splits: its outgoing edges carry the branch labels."""
    PARALLEL = "parallel"
    """A parallel gateway that splits into branches running at the same time."""
    JOIN = "join"
    """The parallel gateway where those branches meet again."""
    END = "end"


def _empty(value: object) -> bool:
    """Fields left out of a result when they say nothing: a result of 300 steps stays small."""
    return value is None or value == [] or value is False


class Node(BaseModel):
    id: str
    kind: NodeKind
    label: str
    actor: str | None = Field(default=None, exclude_if=_empty)
    accountable: str | None = Field(default=None, exclude_if=_empty)
    phase: str | None = Field(default=None, exclude_if=_empty)
    ref: str | None = Field(default=None, exclude_if=_empty)
    """The step's own number in the SOP ("3", "2.1", "b"), when it had one."""
    inputs: list[str] = Field(default_factory=list, exclude_if=_empty)
    outputs: list[str] = Field(default_factory=list, exclude_if=_empty)


class Edge(BaseModel):
    source: str
    target: str
    label: str | None = Field(default=None, exclude_if=_empty)
    loop: bool = Field(default=False, exclude_if=_empty)
    """A back edge: the flow returns to an earlier node ("repeat until", "go back to")."""


class Graph(BaseModel):
    """Nodes and sequence flows; one start, at least one end, every edge between known nodes."""

    nodes: list[Node]
    edges: list[Edge]

    @model_validator(mode="after")
    def _well_formed(self) -> "Graph":
        ids = [node.id for node in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError("node ids must be unique")
        known = set(ids)
        dangling = [f"{e.source}->{e.target}" for e in self.edges if {e.source, e.target} - known]
        if dangling:
            raise ValueError(f"edges between unknown nodes: {dangling[:5]}")
        kinds = [node.kind for node in self.nodes]
        if kinds.count(NodeKind.START) != 1 or NodeKind.END not in kinds:
            raise ValueError("a graph has exactly one start node and at least one end node")
        if NodeKind.TASK not in kinds:
            raise ValueError("a graph has at least one task")
        return self

    def of_kind(self, kind: NodeKind) -> list[Node]:
        return [node for node in self.nodes if node.kind == kind]

    def actors(self) -> list[str]:
        """Responsible and accountable roles, once each, in the order they first act."""
        named = (name for node in self.nodes for name in (node.actor, node.accountable) if name)
        return list(dict.fromkeys(named))
