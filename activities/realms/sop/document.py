"""The shape of an SOP: headings, nested lists, "Step N:" headings, tables, prose.

Lines become entries (list items at an indent, with a marker style and their own number),
nested by indent and by marker style ("1." then "a." then "i." nest even at the same
indent); Markdown tables of steps and RACI tables become one entry per row; prose
paragraphs are read sentence by sentence. Every line the reader could not use is kept
in `skipped`, so the caller can say so.
"""

import re
from dataclasses import dataclass, field

from activities.realms.sop.clauses import Voice, read_sentence, sentences, word_set
from activities.realms.sop.flow import (
    Decision,
    ElseBranch,
    Item,
    Jump,
    Parallel,
    Piece,
    Task,
    append,
)

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_STEP_HEADING = re.compile(
    r"^\s{0,3}(?:#{1,6}\s*)?(?:\*\*)?step\s+(?P<ref>\d+(?:\.\d+)*[a-z]?)\s*(?:[:.)\-\u2013\u2014]|\*\*)+"
    r"\s*(?:\*\*)?\s*(?P<text>.*?)(?:\*\*)?\s*$",
    re.IGNORECASE,
)
_PHASE_LINE = re.compile(
    r"^\s*(?:phase|stage|part|section)\s+(?:\d+|[ivx]+|[a-z])\s*[:.\-\u2013\u2014]\s*(?P<text>.+)$",
    re.IGNORECASE,
)
_ITEM = re.compile(
    r"^(?P<indent>\s*)(?:(?P<dotted>\d+(?:\.\d+)+)\.?|(?P<num>\d+)[.)]|\((?P<pnum>\d+)\)|"
    r"\((?P<palpha>[a-z])\)|(?P<alpha>[a-zA-Z])[.)]|\(?(?P<roman>[ivxlIVXL]+)[.)]|"
    r"(?P<bullet>[-*+•·▪◦‣]))\s+(?P<text>\S.*)$"
)
_ROLE_LINE = re.compile(
    r"^\s*[-*+]?\s*(?:\*\*)?(?:role|actor|owner|responsible|performed\s+by|who|lane)(?:\*\*)?"
    r"\s*:\s*(?:\*\*)?\s*(?P<role>.+?)\s*$",
    re.IGNORECASE,
)
_IO_LINE = re.compile(
    r"^\s*[-*+]?\s*(?:\*\*)?(?P<kind>inputs?|outputs?|deliverables?)(?:\*\*)?\s*:\s*(?P<text>.+)$",
    re.IGNORECASE,
)
_INLINE_OWNER = re.compile(
    r"\s*[\[(](?:owner|role|by|responsible|actor)\s*:\s*([^)\]]+)[)\]]", re.IGNORECASE
)
_META = re.compile(
    r"^\s*(?:purpose|scope|version|revision|effective(?:\s+date)?|document(?:\s+(?:id|no|"
    r"number))?|date|author|approved\s+by|reviewed\s+by|applies\s+to|references?|note|notes|"
    r"tip|warning|caution|important|definitions?|frequency|trigger|sop\s+(?:id|no|number)|"
    r"department|title|objective|goal|summary)\s*:\s*.*$",
    re.IGNORECASE,
)
_SKIP_SECTIONS = re.compile(
    r"\b(?:purpose|scope|definitions?|references?|revision|history|glossary|abbreviations|"
    r"related\s+documents|document\s+control|records|responsibilit(?:y|ies)|roles|"
    r"change\s+log|version|appendix|attachments)\b",
    re.IGNORECASE,
)
_IF_HEADER = re.compile(
    r"^(?:if|in\s+case|when|where|should)\s+(?P<cond>.+?)\s*(?:,?\s*then)?\s*[:,]?$", re.I
)
_ELSE_HEADER = re.compile(
    r"^(?:otherwise|else|if\s+not(?=\s*[,:]|$)|if\s+no(?=\s*[,:]|$)|in\s+all\s+other\s+cases)"
    r"\b[,:]?\s*(?P<rest>.*)$",
    re.I,
)
_PARALLEL_HEADER = re.compile(
    r"^.*\b(?:in\s+parallel|simultaneously|at\s+the\s+same\s+time|concurrently)\b.*:$", re.I
)
_ROMAN = word_set("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv")
_RACI = {"r": "responsible", "a": "accountable", "c": "consulted", "i": "informed"}
_COLUMNS = {
    "ref": ("step", "no", "no.", "#", "nr", "number", "id", "seq", "step no", "step #", "step no."),
    "action": (
        "action", "activity", "task", "description", "what", "step description", "process step",
        "activity description", "instruction", "instructions", "procedure", "details", "step",
    ),
    "owner": (
        "owner", "role", "actor", "responsible", "who", "by", "performed by", "person",
        "executed by", "lane", "performer", "responsible party", "r",
    ),
    "accountable": ("accountable", "a", "approver"),
    "inputs": ("input", "inputs"),
    "outputs": ("output", "outputs", "deliverable", "deliverables", "result", "results"),
}  # fmt: skip


@dataclass
class Entry:
    """A list item, a "Step N:" heading or a table row, with what nests under it."""

    line: int
    indent: int
    style: str
    ref: str | None
    text: str
    phase: str | None
    owner: str | None = None
    """Named for this step: an owner column, "(Owner: …)", a role line under the item."""
    section_role: str | None = None
    """Named for the section the step is in ("Role: Clerk" under a heading)."""
    accountable: str | None = None
    titled: bool = False
    """A "Step N: Title" heading: its body details the step instead of adding steps."""
    body: list[str] = field(default_factory=list)
    children: "list[Entry]" = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


@dataclass
class Prose:
    line: int
    text: str
    phase: str | None
    owner: str | None


@dataclass
class Document:
    """What the reader found: the flow's items, and the lines it had no use for."""

    title: str | None = None
    phases: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    refs: dict[str, Item] = field(default_factory=dict)
    """Each step number the SOP gave ("3", "2.1") → the first item it became."""


def read_document(text: str) -> Document:
    """Items in document order, nested as the SOP nests them."""
    return _Reader(text.replace("\t", "    ").splitlines()).read()


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.doc = Document()
        self.phase: str | None = None
        self.role: str | None = None
        self.skipping = False
        self.stack: list[Entry] = []
        self.parts: list[Entry | Prose] = []
        self.paragraph: list[tuple[int, str]] = []
        self.last: Entry | None = None
        self.blank_before = True

    def read(self) -> Document:
        index = 0
        while index < len(self.lines):
            index = self._line(index)
        self._flush()
        for part in self.parts:
            self._emit(part, self.doc.items)
        return self.doc

    def _line(self, index: int) -> int:
        raw = self.lines[index]
        number = index + 1
        stripped = raw.strip()
        if not stripped or re.fullmatch(r"[-=_*]{3,}", stripped):
            self._flush()
            self.blank_before = True
            return index + 1
        if (
            stripped.startswith("|")
            and index + 1 < len(self.lines)
            and _is_rule(self.lines[index + 1])
        ):
            return self._table(index)
        blank_before, self.blank_before = self.blank_before, False
        if step := _STEP_HEADING.match(raw):
            self._flush()
            self._entry(number, 0, "step", step.group("ref"), step.group("text"), titled=True)
        elif heading := _HEADING.match(raw):
            self._heading(number, len(heading.group(1)), heading.group(2).strip(" *"))
        elif phase := _PHASE_LINE.match(raw):
            self._heading(number, 2, phase.group("text").strip())
        elif self.skipping:
            self.doc.skipped.append((number, stripped))
        elif role := _ROLE_LINE.match(raw):
            self._role(role.group("role").strip(" .*"), raw)
        elif io := _IO_LINE.match(raw):
            self._io(io.group("kind").lower(), io.group("text"))
        elif _META.match(raw):
            self._flush()
            self.doc.skipped.append((number, stripped))
        elif item := _ITEM.match(raw):
            self._flush()
            style, ref = self._marker(item)
            self._entry(number, len(item.group("indent")), style, ref, item.group("text"))
        elif self._continues(raw, blank_before):
            assert self.last is not None
            self.last.body.append(stripped)
        elif self._title_line(stripped, number):
            self.doc.title = stripped.strip("*# ").rstrip(":")
        else:
            if blank_before:
                self.stack.clear()
            self.paragraph.append((number, stripped))
        return index + 1

    def _continues(self, raw: str, blank_before: bool) -> bool:
        """Text under an item belongs to it: wrapped lines, indented paragraphs, step bodies."""
        if self.last is None or self.paragraph:
            return False
        indent = len(raw) - len(raw.lstrip())
        return not blank_before or indent > self.last.indent or self.last.style == "step"

    def _title_line(self, stripped: str, number: int) -> bool:
        """An unmarked first line without a full stop names the procedure."""
        first = not self.parts and not self.paragraph and self.doc.title is None
        return (
            first and number <= 3 and not stripped.endswith((".", "?", "!")) and len(stripped) < 90
        )

    def _heading(self, number: int, level: int, text: str) -> None:
        self._flush()
        self.stack.clear()
        self.last = None
        if level == 1 and self.doc.title is None and not self.parts:
            self.doc.title = text
            return
        self.skipping = bool(_SKIP_SECTIONS.search(text))
        if self.skipping:
            self.doc.skipped.append((number, text))
            return
        self.phase = text
        self.role = None
        self.doc.phases.append(text)

    def _role(self, role: str, raw: str) -> None:
        """A role line under an item owns that item; elsewhere it owns the section."""
        if (self.last is not None and not self.paragraph and raw[:1].isspace()) or (
            self.last is not None
            and self.last.owner is None
            and not self.paragraph
            and not self.blank_before
        ):
            self.last.owner = role
        else:
            self._flush()
            self.role = role
            self.stack.clear()
            self.last = None

    def _io(self, kind: str, text: str) -> None:
        """Inputs and outputs belong to the step above them, and to the procedure."""
        items = [part.strip(" .*") for part in re.split(r"[,;]", text) if part.strip(" .*")]
        is_input = kind.startswith("input")
        (self.doc.inputs if is_input else self.doc.outputs).extend(items)
        if self.last is not None:
            (self.last.inputs if is_input else self.last.outputs).extend(items)

    def _marker(self, item: re.Match[str]) -> tuple[str, str]:
        """The marker's style (which level of numbering it is) and its own number."""
        if dotted := item.group("dotted"):
            return f"num{dotted.count('.') + 1}", dotted
        if num := item.group("num") or item.group("pnum"):
            return "num1", num
        letter = item.group("alpha") or item.group("palpha") or item.group("roman")
        if letter is None:
            return "bullet", ""
        if letter.lower() in _ROMAN and not self._letter_sequence(letter):
            return "roman", letter.lower()
        return ("alpha" if letter.islower() else "ALPHA"), letter.lower()

    def _letter_sequence(self, letter: str) -> bool:
        """ "i." after "h." is a letter, not a Roman one."""
        if len(letter) != 1:
            return False
        previous = chr(ord(letter.lower()) - 1)
        return any(e.ref == previous for e in self.stack)

    def _entry(
        self,
        line: int,
        indent: int,
        style: str,
        ref: str | None,
        text: str,
        *,
        titled: bool = False,
    ) -> None:
        owner_match = _INLINE_OWNER.search(text)
        entry = Entry(
            line=line,
            indent=indent,
            style=style,
            ref=ref or None,
            text=_INLINE_OWNER.sub("", text).strip(" *"),
            phase=self.phase,
            owner=owner_match.group(1).strip() if owner_match else None,
            section_role=self.role,
            titled=titled and bool(text.strip()),
        )
        self._nest(entry)
        self.last = entry

    def _nest(self, entry: Entry) -> None:
        """A marker of an open level is a sibling; a deeper indent or a new style is a child."""
        same = [
            i
            for i, e in enumerate(self.stack)
            if e.style == entry.style and abs(e.indent - entry.indent) <= 1
        ]
        if entry.style == "step":
            same = [i for i, e in enumerate(self.stack) if e.style == "step"] or [0]
        if same:
            del self.stack[same[-1] :]
        else:
            while self.stack and self.stack[-1].indent > entry.indent:
                self.stack.pop()
        if self.stack:
            self.stack[-1].children.append(entry)
        else:
            self.parts.append(entry)
        self.stack.append(entry)

    def _flush(self) -> None:
        """A finished paragraph of prose joins the flow."""
        if self.paragraph:
            line = self.paragraph[0][0]
            text = " ".join(t for _, t in self.paragraph)
            self.parts.append(Prose(line, text, self.phase, self.role))
            self.paragraph = []
            self.last = None

    def _table(self, index: int) -> int:
        """A Markdown table: steps (Step/Owner/Action/Input/Output) or RACI, one entry a row."""
        self._flush()
        self.stack.clear()
        header = _cells(self.lines[index])
        end = index + 2
        rows: list[tuple[int, list[str]]] = []
        while end < len(self.lines) and self.lines[end].strip().startswith("|"):
            rows.append((end + 1, _cells(self.lines[end])))
            end += 1
        columns = _columns(header, [r for _, r in rows])
        if columns is None:
            self.doc.skipped.extend(
                (n, self.lines[n - 1].strip()) for n in range(index + 1, end + 1)
            )
            return end
        for number, cells in rows:
            self._row(number, cells, columns)
        self.last = None
        return end

    def _row(self, number: int, cells: list[str], columns: "_Columns") -> None:
        def cell(position: int | None) -> str:
            return cells[position].strip() if position is not None and position < len(cells) else ""

        text = cell(columns.action)
        if not text:
            self.doc.skipped.append((number, " | ".join(cells)))
            return
        entry = Entry(
            line=number,
            indent=0,
            style="row",
            ref=_ref(cell(columns.ref)),
            text=_INLINE_OWNER.sub("", text),
            phase=self.phase,
            owner=columns.responsible(cells) or self.role,
            accountable=columns.accountable_of(cells),
            inputs=_listed(cell(columns.inputs)),
            outputs=_listed(cell(columns.outputs)),
        )
        self.doc.inputs.extend(entry.inputs)
        self.doc.outputs.extend(entry.outputs)
        self.parts.append(entry)

    def _emit(self, part: Entry | Prose, block: list[Item]) -> None:
        if isinstance(part, Prose):
            voice = Voice(owner=part.owner, strict=True)
            for sentence in sentences(part.text):
                self._add(block, read_sentence(sentence, voice), part.phase)
            self._skip(part.line, voice.skipped)
            return
        self._add_entry(part, block)

    def _add_entry(self, entry: Entry, block: list[Item]) -> None:
        voice = Voice(owner=entry.owner or entry.section_role)
        children: list[Item] = []
        for child in entry.children:
            self._emit(child, children)
        _loop_to_block_start(children)
        text = " ".join([entry.text, *([] if entry.titled else entry.body)]).strip()
        if else_match := _ELSE_HEADER.match(text):
            pieces = self._read(else_match.group("rest"), voice)
            append(block, ElseBranch(_block(pieces) + children))
            return
        if _PARALLEL_HEADER.match(text) and entry.children:
            branches = [[item] for item in children]
            append(block, Parallel(branches) if len(branches) > 1 else children[0])
            return
        if (header := _IF_HEADER.match(text)) and entry.children:
            decision = Decision(
                header.group("cond").strip(), children, ref=entry.ref, phase=entry.phase
            )
            self._remember(entry.ref, decision)
            append(block, decision)
            return
        pieces = self._read(text, voice)
        if entry.titled:
            pieces = self._titled(pieces, entry, voice)
        first = next((p for p in pieces if isinstance(p, Task | Decision)), None)
        for piece in pieces:
            if isinstance(piece, Task | Decision) and piece is first:
                piece.ref = piece.ref or entry.ref
            if isinstance(piece, Task):
                piece.accountable = entry.accountable
                piece.inputs, piece.outputs = entry.inputs, entry.outputs
            self._add(block, [piece], entry.phase)
        last = block[-1] if block else None
        if isinstance(last, Decision) and not last.then and children:
            last.then = children
        else:
            for item in children:
                append(block, item)
        if first is not None:
            self._remember(entry.ref, first)

    def _titled(self, pieces: list[Piece], entry: Entry, voice: Voice) -> list[Piece]:
        """ "Step 3: Approve" + body: the body names who and adds decisions, loops, ends."""
        body = [
            piece
            for line in [" ".join(entry.body)]
            for s in sentences(line)
            for piece in read_sentence(s, voice)
        ]
        tasks = [p for p in body if isinstance(p, Task)]
        head = pieces[0] if pieces else None
        if isinstance(head, Task) and head.actor is None and tasks and tasks[0].actor:
            head.actor = tasks[0].actor
        entry.body = []
        return pieces + [p for p in body if not isinstance(p, Task)]

    def _read(self, text: str, voice: Voice) -> list[Piece]:
        pieces: list[Piece] = []
        for sentence in sentences(text) or [text]:
            pieces.extend(read_sentence(sentence, voice))
        return pieces

    def _add(self, block: list[Item], pieces: list[Piece], phase: str | None) -> None:
        for piece in pieces:
            if isinstance(piece, Task | Decision):
                piece.phase = piece.phase or phase
            if not append(block, piece):
                self.doc.skipped.append((0, "an 'otherwise' with no decision before it"))

    def _skip(self, line: int, clauses: list[str]) -> None:
        self.doc.skipped.extend((line, clause) for clause in clauses)

    def _remember(self, ref: str | None, item: Item) -> None:
        if ref and ref not in self.doc.refs:
            self.doc.refs[ref] = item


def _block(pieces: list[Piece]) -> list[Item]:
    block: list[Item] = []
    for piece in pieces:
        append(block, piece)
    return block


def _loop_to_block_start(children: list[Item]) -> None:
    """ "Repeat until …" among sub-steps with no step named repeats those sub-steps."""
    for child in children:
        if isinstance(child, Jump) and child.ref is None and child.target is None and children:
            child.target = children[0]


def _is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*", line))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _ref(text: str) -> str | None:
    match = re.match(r"^\s*(?:step\s*)?(\d+(?:\.\d+)*[a-z]?)\b", text, re.IGNORECASE)
    return match.group(1) if match else None


def _listed(text: str) -> list[str]:
    return [part.strip(" .") for part in re.split(r"[,;]|<br>", text) if part.strip(" .-\u2013")]


@dataclass
class _Columns:
    ref: int | None
    action: int | None
    owner: int | None
    accountable: int | None
    inputs: int | None
    outputs: int | None
    raci_roles: dict[int, str] = field(default_factory=dict)
    """A RACI matrix: column → role, the cells hold R, A, C or I."""

    def responsible(self, cells: list[str]) -> str | None:
        return self._letter(cells, "r") or _cell(cells, self.owner)

    def accountable_of(self, cells: list[str]) -> str | None:
        return self._letter(cells, "a") or _cell(cells, self.accountable)

    def _letter(self, cells: list[str], letter: str) -> str | None:
        roles = [
            role for i, role in self.raci_roles.items() if letter in _letters(_cell(cells, i) or "")
        ]
        return " / ".join(roles) or None


def _cell(cells: list[str], position: int | None) -> str | None:
    if position is None or position >= len(cells):
        return None
    value = cells[position].strip(" *")
    return value if value and value not in ("-", "\u2013", "n/a", "N/A") else None


def _letters(cell: str) -> set[str]:
    return {c for c in re.split(r"[\s/,+]+", cell.lower()) if c in _RACI}


def _columns(header: list[str], rows: list[list[str]]) -> _Columns | None:
    """Which column is which; None when the table holds no actions."""
    names = [re.sub(r"[*_`]", "", h).strip().lower() for h in header]
    found: dict[str, int] = {}
    for kind, aliases in _COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases and position not in found.values() and kind not in found:
                if kind == "ref" and not _mostly_numbers(rows, position):
                    continue
                found[kind] = position
    raci = {
        i: header[i].strip(" *")
        for i, name in enumerate(names)
        if i not in found.values() and _letter_column(rows, i)
    }
    if "action" not in found:
        free = [i for i in range(len(names)) if i not in found.values() and i not in raci]
        if not free:
            return None
        found["action"] = free[0]
    return _Columns(
        ref=found.get("ref"),
        action=found["action"],
        owner=found.get("owner"),
        accountable=found.get("accountable"),
        inputs=found.get("inputs"),
        outputs=found.get("outputs"),
        raci_roles=raci if len(raci) >= 2 else {},
    )


def _mostly_numbers(rows: list[list[str]], position: int) -> bool:
    values = [r[position] for r in rows if position < len(r) and r[position].strip()]
    return bool(values) and sum(_ref(v) is not None for v in values) * 2 >= len(values)


def _letter_column(rows: list[list[str]], position: int) -> bool:
    values = [r[position].strip() for r in rows if position < len(r) and r[position].strip(" -")]
    return bool(values) and all(
        _letters(v) and not re.sub(r"[RACIraci\s/,+]", "", v) for v in values
    )
