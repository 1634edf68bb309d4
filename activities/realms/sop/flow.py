"""What an SOP says, before it becomes a graph: tasks, decisions, parallel runs, jumps, ends.

Readers append items to blocks with `append`, which is where the words that refer back
take effect: "Otherwise …" becomes the else branch of the decision before it, "Meanwhile
…" runs beside the item before it, and "If not …" after "If …" is the same decision.
"""

from dataclasses import dataclass, field


@dataclass
class Task:
    text: str
    actor: str | None = None
    accountable: str | None = None
    ref: str | None = None
    phase: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


@dataclass
class Decision:
    condition: str
    then: "list[Item]" = field(default_factory=list)
    otherwise: "list[Item] | None" = None
    actor: str | None = None
    """Who decides, when the condition names them ("if the manager declines")."""
    ref: str | None = None
    phase: str | None = None


@dataclass
class Parallel:
    branches: "list[list[Item]]"


@dataclass
class Jump:
    """A jump to another step; with `until`, a loop that repeats while `until` is not met."""

    ref: str | None = None
    """The step number or the words naming the step ("3", "the review")."""
    target: "Item | None" = None
    """The item itself, when the reader knows it ("repeat until" in a list of sub-steps)."""
    until: str | None = None
    back: bool = True


@dataclass
class End:
    text: str = "End"


Item = Task | Decision | Parallel | Jump | End


@dataclass
class ElseBranch:
    """ "Otherwise, …": belongs to the decision before it."""

    items: list[Item]


@dataclass
class Concurrent:
    """ "Meanwhile, …": runs beside the item before it."""

    items: list[Item]


Piece = Item | ElseBranch | Concurrent

_NEGATIONS = (" not ", "n't ", " no ", " fails", " failed", " missing", " incomplete", " invalid")
_OPPOSITES = (
    ("approved", "rejected"), ("approves", "rejects"), ("accepts", "rejects"),
    ("accepted", "declined"), ("valid", "invalid"), ("complete", "incomplete"), ("yes", "no"),
    ("passes", "fails"),
    ("correct", "incorrect"), ("available", "unavailable"), ("accepts", "declines"),
    ("approved", "denied"), ("accepted", "rejected"), ("in stock", "out of stock"),
)  # fmt: skip


def append(block: list[Item], piece: Piece) -> bool:
    """Add a piece to a block; False when an "otherwise" had no decision to belong to.

    A jump right after a decision with no else ("If a test fails, fix it. Then go back to
    step 2.") ends that decision's branch: on the other path it would loop forever.
    """
    last = block[-1] if block else None
    if isinstance(piece, ElseBranch):
        if isinstance(last, Decision) and last.otherwise is None:
            last.otherwise = piece.items
            return True
        block.extend(piece.items)
        return False
    if isinstance(piece, Concurrent):
        if last is None:
            block.extend(piece.items)
        elif isinstance(last, Parallel):
            last.branches.append(piece.items)
        else:
            block[-1] = Parallel([[last], piece.items])
        return True
    if isinstance(last, Decision) and last.otherwise is None:
        if isinstance(piece, Jump) and piece.until is None and _open(last.then):
            last.then.append(piece)
            return True
        if isinstance(piece, Decision) and complementary(last.condition, piece.condition):
            last.otherwise = piece.then
            return True
    block.append(piece)
    return True


def _open(branch: list[Item]) -> bool:
    """A branch with steps that does not already end or jump."""
    return bool(branch) and not isinstance(branch[-1], Jump | End)


def complementary(first: str, second: str) -> bool:
    """ "the amount is over 100" / "it is not": the second condition is the first one's else."""
    a, b = f" {first.lower()} ", f" {second.lower()} "
    if _without_not(a) == _without_not(b) and a != b:
        return True
    if any(word in b for word in _NEGATIONS) != any(word in a for word in _NEGATIONS):
        return b.strip() in ("not", "no") or _same_subject(a, b) or _pronoun(b)
    return any((x in a and y in b) or (y in a and x in b) for x, y in _OPPOSITES)


def _without_not(condition: str) -> str:
    return " ".join(w for w in condition.replace("n't", " not").split() if w not in ("not", "no"))


def _same_subject(a: str, b: str) -> bool:
    return a.split()[:3] == b.split()[:3]


def _pronoun(condition: str) -> bool:
    return condition.split()[0] in ("it", "they", "this", "that", "so", "the")
