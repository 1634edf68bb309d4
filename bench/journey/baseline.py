"""The SOP reader as it was before issue 18, kept as the benchmark's baseline (unchanged logic).

Journey realm: standard operating procedures in, workflow definitions out.

The parser reads what SOPs are made of: headings (phases), numbered or bulleted steps,
"If … then …, otherwise …" decisions, actors ("The manager approves", "Role: Clerk",
"(Owner: Finance)") and "Input:"/"Output:" lines, and draws the result as Mermaid.
"""

import itertools
import re

from pydantic import BaseModel, Field

from activities.realms.errors import bad_file

MAX_STEPS = 200
ROLES = (
    "customer", "client", "manager", "agent", "analyst", "supervisor", "user", "system",
    "owner", "reviewer", "clerk", "admin", "administrator", "operator", "employee",
    "finance", "hr", "team", "lead", "approver", "requester", "engineer", "support",
)  # fmt: skip
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\s*(?:step\s+)?(\d+)[.)]\s+(.+)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*+]\s+(.+)$")
_ROLE_LINE = re.compile(r"^\s*(?:role|actor|owner|responsible)\s*:\s*(.+)$", re.IGNORECASE)
_IO_LINE = re.compile(r"^\s*[-*+]?\s*(inputs?|outputs?)\s*:\s*(.+)$", re.IGNORECASE)
_OWNER = re.compile(r"\((?:owner|role|by)\s*:\s*([^)]+)\)", re.IGNORECASE)
_DECISION = re.compile(
    r"^if\s+(?P<cond>.+?)(?:,\s*then\s+|\s+then\s+|,\s+)(?P<then>.+?)"
    r"(?:(?:[,;.]\s*|\s+)(?:otherwise|else)[,:]?\s+(?P<else>.+?))?\.?$",
    re.IGNORECASE,
)
_ACTOR = re.compile(r"^(?:the\s+)?([a-z]+(?:\s[a-z]+)?)\s+\w+", re.IGNORECASE)


class Step(BaseModel):
    id: str
    order: int
    kind: str
    text: str
    phase: str | None = None
    actor: str | None = None
    condition: str | None = None
    then: str | None = None
    otherwise: str | None = None
    next: list[str] = Field(default_factory=list)
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)


class WorkflowDefinition(BaseModel):
    title: str
    phases: list[str]
    actors: list[str]
    steps: list[Step]
    decisions: int
    inputs: list[str]
    outputs: list[str]
    mermaid: str
    summary: str


def parse_sop(text: str, fallback_title: str = "Procedure") -> WorkflowDefinition:
    """Steps, phases, actors, decisions and inputs/outputs, linked in order."""
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    steps = parser.steps[:MAX_STEPS]
    if not steps:
        raise bad_file("invalid_sop", "no steps found: number them (1. 2. 3.) or list them")
    for current, following in itertools.pairwise(steps):
        current.next = [following.id]
    title = parser.title or fallback_title
    actors = sorted({s.actor for s in steps if s.actor})
    decisions = sum(1 for s in steps if s.kind == "decision")
    return WorkflowDefinition(
        title=title,
        phases=parser.phases,
        actors=actors,
        steps=steps,
        decisions=decisions,
        inputs=parser.inputs,
        outputs=parser.outputs,
        mermaid=mermaid(title, steps),
        summary=f"{title}: {len(steps)} steps, {decisions} decisions, "
        f"actors {', '.join(actors) or 'not named'}.",
    )


class _Parser:
    """Line by line; headings open phases, list items (or sentences under them) are steps."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.phases: list[str] = []
        self.steps: list[Step] = []
        self.inputs: list[str] = []
        self.outputs: list[str] = []
        self._phase: str | None = None
        self._phase_actor: str | None = None

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        if heading := _HEADING.match(line):
            self._heading(len(heading.group(1)), heading.group(2).strip())
        elif role := _ROLE_LINE.match(line):
            self._phase_actor = role.group(1).strip().rstrip(".")
        elif io := _IO_LINE.match(line):
            self._io(io.group(1).lower(), io.group(2))
        elif item := (_NUMBERED.match(line) or _BULLET.match(line)):
            self._step(item.groups()[-1].strip())
        elif _DECISION.match(line.strip()):
            self._step(line.strip())

    def _heading(self, level: int, text: str) -> None:
        if level == 1 and self.title is None and not self.steps:
            self.title = text
            return
        self._phase = text
        self._phase_actor = None
        self.phases.append(text)

    def _io(self, kind: str, text: str) -> None:
        """Inputs and outputs belong to the step above them, and to the workflow."""
        items = [part.strip().rstrip(".") for part in re.split(r"[,;]", text) if part.strip()]
        is_input = kind.startswith("input")
        (self.inputs if is_input else self.outputs).extend(items)
        if self.steps:
            step = self.steps[-1]
            (step.inputs if is_input else step.outputs).extend(items)

    def _step(self, text: str) -> None:
        owner = _OWNER.search(text)
        clean = _OWNER.sub("", text).strip()
        order = len(self.steps) + 1
        step = Step(
            id=f"s{order}",
            order=order,
            kind="task",
            text=clean,
            phase=self._phase,
            actor=owner.group(1).strip() if owner else _actor_of(clean) or self._phase_actor,
        )
        if decision := _DECISION.match(clean):
            step.kind = "decision"
            step.condition = decision.group("cond").strip()
            step.then = decision.group("then").strip().rstrip(".")
            otherwise = decision.group("else")
            step.otherwise = otherwise.strip().rstrip(".") if otherwise else None
            step.actor = owner.group(1).strip() if owner else _actor_of(step.then) or step.actor
        self.steps.append(step)


def _actor_of(text: str) -> str | None:
    """ "The manager approves …" → manager; only words that name a role count."""
    match = _ACTOR.match(text)
    if not match:
        return None
    words = match.group(1).lower().split()
    for size in (2, 1):
        candidate = " ".join(words[:size])
        if candidate.split()[-1] in ROLES:
            return candidate
    return None


def mermaid(title: str, steps: list[Step]) -> str:
    """`flowchart TD`; decisions are diamonds with yes/no branches that rejoin."""
    lines = ["flowchart TD", f'    start(["{_label(title)}"])']
    previous = ["start"]
    for step in steps:
        for node in previous:
            lines.append(f"    {node} --> {step.id}")
        if step.kind == "decision":
            lines.append(f'    {step.id}{{"{_label(step.condition or step.text)}?"}}')
            lines.append(f'    {step.id} -->|yes| {step.id}y["{_label(step.then or "")}"]')
            previous = [f"{step.id}y"]
            if step.otherwise:
                lines.append(f'    {step.id} -->|no| {step.id}n["{_label(step.otherwise)}"]')
                previous.append(f"{step.id}n")
            else:
                previous.append(step.id)
        else:
            actor = f"{step.actor}: " if step.actor else ""
            lines.append(f'    {step.id}["{_label(actor + step.text)}"]')
            previous = [step.id]
    lines.append('    finish(["done"])')
    lines.extend(f"    {node} --> finish" for node in previous)
    return "\n".join(lines)


def _label(text: str) -> str:
    """Mermaid labels: quotes, brackets and pipes escaped, length bounded."""
    clipped = text if len(text) <= 120 else text[:119] + "…"
    for raw, escaped in (('"', "#quot;"), ("|", "#124;"), ("<", "#lt;"), (">", "#gt;")):
        clipped = clipped.replace(raw, escaped)
    return clipped
