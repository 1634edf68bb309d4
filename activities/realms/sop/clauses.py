"""The language of procedures: sentences, one activity per clause, actors, decisions, loops.

Sentences come from pysbd (rule-based, offline). Whether a word can be a verb, and in
which form, comes from lemminflect's English tables (shipped with the package, no model
download): that is what tells "checks the PO and files it" (two activities) from "checks
the PO and the invoice" (one), and "the clerk checks" (an actor acting) from "the
claim is rejected" (no actor). The cue phrases (if, otherwise, meanwhile, repeat until,
go back to) stay regular expressions: they are fixed words, not grammar.
"""

import re
from dataclasses import dataclass, field
from functools import cache

import pysbd
from lemminflect import getAllInflections, getAllLemmas, getInflection

from activities.realms.sop.flow import (
    Concurrent,
    Decision,
    ElseBranch,
    End,
    Item,
    Jump,
    Piece,
    Task,
    append,
)


def word_set(text: str) -> frozenset[str]:
    """A word list written as one string: easier to read and to extend than a literal set."""
    return frozenset(text.split())


DETERMINERS = word_set(
    "the a an each every our your his her its their this that these those any all"
)
_AUX = word_set("is are was were has have had does do did gets get becomes")
_MODALS = word_set("must should will shall may can could would might needs")
_PRONOUNS = word_set("he she they we you i")
ROLE_WORDS = word_set(
    "customer client manager agent analyst supervisor user system owner reviewer clerk "
    "admin administrator operator employee finance hr team lead approver requester "
    "engineer support department management procurement staff desk office committee board "
    "unit service lab laboratory warehouse legal sales accounting accounts payroll it "
    "security secretary head director officer nurse doctor physician pharmacist patient "
    "applicant candidate student teacher tutor vendor supplier carrier courier driver "
    "technician specialist coordinator assistant representative auditor inspector "
    "controller treasurer recruiter dispatcher planner buyer seller member person chair "
    "secretariat registrar cashier teller banker underwriter adjuster broker receptionist "
    "guest host chef cook waiter shop store branch bank insurer partner company "
    "organisation organization firm authority council court agency desk helpdesk "
    "servicedesk purchasing logistics marketing quality qa production shipping receiving "
    "dispatch it-support developer tester architect"
)
_THINGS = word_set(
    "order number letter folder paper voucher ledger register container answer offer "
    "transfer parameter filter header cover error monitor sensor document payment "
    "shipment statement agreement assessment amendment attachment requirement equipment "
    "component content incident event invoice request claim form application report file "
    "ticket email message goods package item case process procedure workflow step task "
    "amount total result record data contract quote quotation delivery product batch "
    "sample part material list budget deadline meeting interview test check review "
    "approval status policy issue problem complaint decision response reply notification "
    "reminder receipt purchase sale loan balance fee price cost account instance "
    "procedure sop flow loop cycle timer period time day week month year stock"
)
_END_VERBS = word_set(
    "approves signs leaves waits finishes ends stops closes pays agrees declines confirms "
    "rejects accepts responds replies decides"
)
_OBJECT_STARTS = word_set(
    "the a an it them all to with for in on back up out that whether if his her their its "
    "each every any this these those him me us one both either over off down into from by "
    "as again"
)
_DECISION_VERBS = word_set("approve decline reject accept refuse agree decide deny")
_PREPOSITIONS = word_set("to for with in on at from by into onto over under about")
_ADVERBS = word_set("then also immediately finally subsequently afterwards next later")
_CHECK_VERBS = word_set(
    "check checks verify verifies determine determines decide decides ask asks see sees "
    "confirm confirms test tests assess assesses evaluate evaluates examine examines "
    "establish establishes find finds review reviews inspect inspects"
)
_EVENT_VERBS = word_set(
    "arrives arrive expires expire happens occurs starts begins exists contains includes "
    "consists is are was were has have lies remains"
)

_LEAD_IN = re.compile(
    r"^(?:(?:and\s+)?then|next|finally|first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|"
    r"afterwards|after\s+that|subsequently|thereafter|at\s+last|now|also)\b[,:]?\s*",
    re.IGNORECASE,
)
_OTHERWISE = re.compile(
    r"^(?:otherwise|else|if\s+not(?=\s*[,:]|$)|if\s+no(?=\s*[,:]|$)|in\s+all\s+other\s+cases|if\s+this\s+is\s+not\s+"
    r"the\s+case|if\s+that\s+is\s+not\s+the\s+case|if\s+(?:it|they|this|that|he|she)\s+"
    r"(?:is|are|does|do|was|were|has|have)(?:\s+not|n't)(?:\s+\w+)?)\b[,:]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CONCURRENT = re.compile(
    r"^(?:meanwhile|simultaneously|at\s+the\s+same\s+time|in\s+parallel|concurrently|"
    r"in\s+the\s+meantime|parallel\s+to\s+this|in\s+parallel\s+with\s+this)\b[,:]?\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_WHILE = re.compile(r"^while\s+(?P<first>[^,]+),\s*(?P<second>.+)$", re.IGNORECASE)
_IF = re.compile(r"^(?:if|in\s+case|provided\s+that|where)\s+(?P<body>.+)$", re.IGNORECASE)
_SO = re.compile(
    r"^(?:so|yes|it\s+(?:is|does|has)|they\s+(?:are|do|have)|this\s+is\s+the\s+case|"
    r"that\s+is\s+the\s+case|positive)$",
    re.IGNORECASE,
)
_THEN_SPLIT = re.compile(r"\s*(?:,\s*then\b|\bthen\b|,(?!\d)|:)\s*", re.IGNORECASE)
_ELSE_SPLIT = re.compile(
    r"(?:[,;.]\s*|\s+)(?:otherwise|else|or\s+else|if\s+not)\b[,:]?\s*", re.IGNORECASE
)
_TRAILING_IF = re.compile(r"^(?P<main>.+?)\s+(?:only\s+)?(?:if|in\s+case)\s+(?P<cond>.+)$", re.I)
_WHEN = re.compile(
    r"^(?:when|once|after|as\s+soon\s+as|upon|whenever|before)\s+[^,]+,\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"^(?:(?:repeat|redo|iterate|loop)(?:s|ed)?\b(?:\s+(?:steps?\s+)?(?P<ref>\d+(?:\.\d+)*[a-z]?)"
    r"(?:\s*(?:-|\u2013|to|through|and)\s*\d+(?:\.\d+)*[a-z]?)?)?[^,]*?\s+until\s+(?P<until>.+)|"
    r".*?\b(?:repeat|redo)\b.*?\buntil\s+(?P<until2>.+))$",
    re.IGNORECASE,
)
_GOTO = re.compile(
    r"\b(?P<verb>go(?:es)?|return(?:s|ed)?|loop(?:s|ed)?|jump(?:s|ed)?|proceed(?:s|ed)?|"
    r"continue(?:s|d)?|skip(?:s|ped)?|start(?:s|ed)?\s+again\s+(?:at|from)|"
    r"restart(?:s|ed)?\s+(?:at|from)|repeat(?:s|ed)?\s+from|"
    r"(?:is|are)\s+(?:sent|passed|routed|returned)|send\s+it)\s*(?P<back>back)?\s+"
    r"(?:to|with|at|from)\s+(?:the\s+)?(?:step\s+(?P<ref>\d+(?:\.\d+)*[a-z]?)|"
    r"(?P<words>[a-z][\w\s-]*?))(?:\s+(?:again|step|stage|activity))?$",
    re.IGNORECASE,
)
_RESTART = re.compile(r"\b(?:start(?:s)?\s+over|begin(?:s)?\s+again)\b", re.IGNORECASE)
_END = re.compile(
    r"^(?:(?:the|this)\s+)?(?:process|procedure|workflow|case|sop|flow)(?:\s+instance)?\s+"
    r"(?:then\s+)?(?:ends|is\s+(?:finished|complete|completed|over|closed|terminated)|"
    r"terminates|stops|finishes|is\s+done)(?:\s+here)?$|^(?:end|stop|terminate|exit)"
    r"(?:\s+(?:the\s+)?(?:process|procedure|workflow))?(?:\s+here)?$|^end\s+of\s+"
    r"(?:the\s+)?(?:process|procedure)$",
    re.IGNORECASE,
)
_BY_AGENT = re.compile(
    r"\bby\s+(?:the\s+|a\s+|an\s+)?(?P<agent>[A-Za-z][\w&/-]*(?:\s+[A-Za-z][\w&/-]*){0,3})"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'&/-]*|\S")


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """The text's sentences, whitespace folded."""
    folded = " ".join(text.split())
    return [s.strip() for s in _segmenter().segment(folded) if s.strip()] if folded else []


@cache
def verb_lemmas(word: str) -> tuple[str, ...]:
    """The verbs `word` can be a form of (empty when it cannot be a verb)."""
    return tuple(getAllLemmas(word.lower(), upos="VERB").get("VERB", ()))


@cache
def _forms(lemma: str, tag: str) -> tuple[str, ...]:
    """The verb's forms for a Penn tag; the table lists irregular ones, the rules the rest."""
    return (*getAllInflections(lemma, upos="VERB").get(tag, ()), *getInflection(lemma, tag))


def is_finite(word: str) -> bool:
    """ "checks", "is", "must": a verb form that follows a subject."""
    lower = word.lower()
    if lower in _AUX or lower in _MODALS:
        return True
    return any(lower in _forms(lemma, "VBZ") or lower in _forms(lemma, "VBD")
               for lemma in verb_lemmas(lower) if lemma != lower)  # fmt: skip


def is_base_verb(word: str) -> bool:
    return word.lower() in verb_lemmas(word)


def _participle(word: str) -> bool:
    lower = word.lower()
    return any(lower in _forms(lemma, "VBN") for lemma in verb_lemmas(lower))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass
class Subject:
    """Who a clause says acts: `actor` is None when nobody is named or the subject is a thing.

    `kind` is "active" (a subject and a verb), "passive" ("the claim is rejected"),
    "event" ("the request arrives", "this procedure applies"), "imperative" ("check the
    PO"), "pronoun" ("he files it": the actor before), "elided" ("… and files it": the
    subject of the clause before) or "fragment" (no verb found).
    """

    actor: str | None
    kind: str

    @property
    def finite(self) -> bool:
        return self.kind in ("active", "passive", "event", "pronoun", "elided")


def subject_of(clause: str) -> Subject:
    """ "The AP clerk checks …" → AP clerk; "The claim is rejected by Finance" → Finance."""
    tokens = [t for t in words(clause) if t.lower() != "please"]
    if not tokens:
        return Subject(None, "fragment")
    start = 1 if tokens[0].lower() in DETERMINERS else 0
    if start == 0 and tokens[0].lower() in (*_PRONOUNS, "it") and tokens[0] != "IT":
        verb = next((t for t in tokens[1:3] if t.lower() not in _ADVERBS), "")
        finite = is_finite(verb)
        kind = "pronoun" if tokens[0].lower() != "it" else "passive"
        return Subject(None, kind if finite else "fragment")
    if start == 0 and tokens[0].lower() not in _AUX and is_finite(tokens[0]):
        return Subject(None, "elided")
    if (
        start == 0
        and is_base_verb(tokens[0])
        and len(tokens) > 1
        and tokens[1].lower() in _OBJECT_STARTS
    ):
        return Subject(None, "imperative")
    for index in range(start + 1, min(len(tokens), start + 9)):
        token = tokens[index]
        if not re.fullmatch(r"[A-Za-z][\w'&/-]*", token):
            break
        if _could_be_noun(tokens, index):
            continue
        following = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
        plural_verb = _plural(tokens[start:index]) and is_base_verb(token)
        if is_finite(token) or (plural_verb and following in (*_OBJECT_STARTS, "")):
            return _with_verb(clause, tokens, start, index)
    if start == 0 and is_base_verb(tokens[0]):
        return Subject(None, "imperative")
    return Subject(None, "fragment")


def _with_verb(clause: str, tokens: list[str], start: int, index: int) -> Subject:
    verb = tokens[index].lower()
    following = [t.lower() for t in tokens[index + 1 : index + 3]]
    participle = next((t for t in following if t not in _ADVERBS and t != "not"), "")
    if verb in _AUX and verb not in ("has", "have", "had") and _participle(participle):
        agent = _BY_AGENT.search(clause)
        return Subject(_role(words(agent.group("agent")), True) if agent else None, "passive")
    if verb in _EVENT_VERBS or (verb in _MODALS and participle in _EVENT_VERBS):
        return Subject(None, "event")
    if tokens[start].lower() in ("process", "procedure", "sop", "document", "policy", "workflow"):
        return Subject(None, "event")
    actor = _role(tokens[start:index], start > 0 or tokens[0][0].isupper())
    return Subject(actor, "active")


def _plural(subject: list[str]) -> bool:
    """ "the supervisor and the examiner", "the developers": a verb after them has no -s."""
    lowered = [w.lower() for w in subject]
    if "and" in lowered:
        return True
    head = lowered[-1] if lowered else ""
    return head.endswith("s") and not head.endswith("ss") and bool(getAllLemmas(head, upos="NOUN"))


def _could_be_noun(tokens: list[str], index: int) -> bool:
    """ "the purchase order arrives": "order" ends a noun phrase only if a verb follows."""
    token = tokens[index].lower()
    if token in _AUX or token in _MODALS:
        return False
    following = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
    after = tokens[index + 2].lower() if index + 2 < len(tokens) else ""
    verb_next = bool(following) and is_finite(following) and following not in _OBJECT_STARTS
    return verb_next and (after in _OBJECT_STARTS or not after)


def _role(head: list[str], named: bool) -> str | None:
    """The subject's words when they name a role (a person, team or system), else None."""
    head = [
        w
        for w in head
        if w.lower() not in DETERMINERS and w.lower() not in _ADVERBS and not w.endswith("ly")
    ]
    while head and head[-1].lower() in ("of", "and"):
        head.pop()
    if not head or any(w.lower() in _PREPOSITIONS for w in head):
        return None
    noun = head[-1].lower().rstrip("s") if len(head[-1]) > 3 else head[-1].lower()
    last = head[-1].lower()
    if last in ROLE_WORDS or noun in ROLE_WORDS:
        return " ".join(head)
    if last in _THINGS or noun in _THINGS or last.endswith(("ment", "tion", "sion", "ing")):
        return None
    return " ".join(head) if named and all(re.fullmatch(r"[\w&/-]+", w) for w in head) else None


def split_clauses(text: str) -> list[str]:
    """One activity per clause: "checks the PO and then files it" → two clauses."""
    parts: list[str] = []
    for chunk in re.split(r"\s*;\s*|,?\s+and\s+then\s+|,\s*then\s+", text):
        for piece in _split_then(chunk):
            parts.extend(_split_and(piece))
    return [p.strip(" ,.") for p in parts if p.strip(" ,.")]


def _split_then(chunk: str) -> list[str]:
    """A bare "then" ends a clause only after a verb: not in "the desk then notifies"."""
    pieces = re.split(r"\s+then\s+", chunk)
    clauses = [pieces[0]]
    for piece in pieces[1:]:
        kind = subject_of(clauses[-1]).kind
        if kind in ("fragment",) or len(words(clauses[-1])) < 2:
            clauses[-1] += " then " + piece
        else:
            clauses.append(piece)
    return clauses


def _split_and(chunk: str) -> list[str]:
    pieces = re.split(r"(,\s*and\s+|\s+and\s+|,\s+)", chunk)
    clauses = [pieces[0]]
    for joint, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        if len(words(clauses[-1])) > 1 and _starts_clause(piece, is_imperative(clauses[0])):
            clauses.append(piece)
        else:
            clauses[-1] += joint + piece
    return clauses


def _starts_clause(piece: str, imperative: bool) -> bool:
    """Does the text after "and" or a comma start an activity of its own?"""
    tokens = [t for t in words(piece) if t.lower() not in _ADVERBS] or [""]
    first = tokens[0]
    following = tokens[1].lower() if len(tokens) > 1 else ""
    if first.lower() in DETERMINERS or first.lower() in _PRONOUNS:
        return subject_of(piece).finite
    if first.lower() in ("who", "which"):
        return is_finite(following)
    if first[:1].isupper() and len(tokens) > 1 and is_finite(tokens[1]):
        return _role([first], True) is not None
    if not verb_lemmas(first):
        return False
    finite = is_finite(first) or (imperative and is_base_verb(first))
    if not finite:
        return False
    return following in _OBJECT_STARTS or (not following and first.lower() in _END_VERBS)


def is_imperative(clause: str) -> bool:
    tokens = words(clause)
    return bool(tokens) and is_base_verb(tokens[0]) and tokens[0].lower() not in DETERMINERS


@dataclass
class Voice:
    """What carries from clause to clause while one passage is read."""

    actor: str | None = None
    """The last actor named: "he", "she" and clauses with no subject of their own mean them."""
    owner: str | None = None
    """The owner the document names for these steps (a column, a Role: line)."""
    strict: bool = False
    """Prose: only clauses with a verb are activities; the rest go to `skipped`."""
    skipped: list[str] = field(default_factory=list)
    question: str | None = None
    """What the last "checks whether …" asked, for a later "If so" or "If it does"."""


_STARTS_WHEN = re.compile(
    r"^(?:the\s+)?(?:process|procedure|workflow)\s+(?:starts|begins|is\s+(?:started|triggered|"
    r"initiated))\s+(?:when|as\s+soon\s+as|once|after|with)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


def read_sentence(sentence: str, voice: Voice) -> list[Piece]:
    """Activities, decisions, loops and ends of one sentence."""
    text = _clean(sentence)
    if not text:
        return []
    if match := _OTHERWISE.match(text):
        return [ElseBranch(_items(read_sentence(match.group("rest"), voice)))]
    if match := _CONCURRENT.match(text):
        return [Concurrent(_items(read_sentence(match.group("rest"), voice)))]
    if match := _WHILE.match(text):
        first = read_sentence(match.group("first"), voice)
        return [*first, Concurrent(_items(read_sentence(match.group("second"), voice)))]
    if match := _STARTS_WHEN.match(text) or _WHEN.match(text):
        text = match.group("rest")
    if match := _IF.match(text):
        return [_decision(match.group("body"), voice)]
    if (match := _TRAILING_IF.match(text)) and not _checks_whether(match.group("main")):
        then = _items(read_clauses(match.group("main"), voice))
        return [Decision(_condition(match.group("cond")), then)] if then else []
    return read_clauses(text, voice)


def _decision(body: str, voice: Voice) -> Decision:
    """ "If X, (then) Y[, otherwise Z]" → a decision with its branches."""
    condition, rest = _split_condition(body)
    if _SO.match(condition.strip()) and voice.question:
        condition = voice.question
    then_text, else_text = _split_else(rest)
    decider = subject_of(condition)
    decision = Decision(
        _condition(condition),
        _items(read_clauses(then_text, voice)),
        actor=decider.actor if _decides(condition) else None,
    )
    if else_text:
        decision.otherwise = _items(read_clauses(else_text, voice))
    return decision


def _decides(condition: str) -> bool:
    """ "if the manager declines": the subject makes the decision, so it is an actor."""
    return any(lemma in _DECISION_VERBS for w in words(condition) for lemma in verb_lemmas(w))


def _split_condition(body: str) -> tuple[str, str]:
    """The condition ends at "then", at the first comma, or at a colon."""
    match = _THEN_SPLIT.search(body)
    if match is None:
        return body, ""
    return body[: match.start()], body[match.end() :]


def _split_else(text: str) -> tuple[str, str]:
    match = _ELSE_SPLIT.search(text)
    if match is None:
        return text, ""
    return text[: match.start()], text[match.end() :]


def read_clauses(text: str, voice: Voice) -> list[Piece]:
    """Plain clauses: tasks, loops and ends; the subject of one carries to the next."""
    pieces: list[Piece] = []
    for clause in split_clauses(text):
        clause = _LEAD_IN.sub("", clause).strip()
        if not clause:
            continue
        if special := _control(clause):
            pieces.append(special)
            continue
        if relative := re.match(r"^(?:who|which|that)\s+(?P<rest>.+)$", clause, re.IGNORECASE):
            clause = relative.group("rest")
            voice.actor = _object_role(pieces) or voice.actor
        subject = subject_of(clause)
        if voice.strict and subject.kind in ("event", "fragment"):
            voice.skipped.append(clause)
            continue
        pieces.append(Task(_sentence_case(clause), actor=_actor(subject, voice)))
        voice.question = _whether(clause) or voice.question
    return pieces


def _actor(subject: Subject, voice: Voice) -> str | None:
    """The subject's role; "he" or a clause with no subject: the actor before; else the owner."""
    if subject.actor:
        voice.actor = subject.actor
        return subject.actor
    if subject.kind in ("pronoun", "elided") or (subject.kind == "fragment" and voice.actor):
        return voice.actor or voice.owner
    if subject.kind == "imperative":
        return voice.owner or voice.actor
    return voice.owner


def _control(clause: str) -> Item | None:
    """A loop, jump or end named by its cue words."""
    if _END.match(clause):
        return End()
    if match := _UNTIL.match(clause):
        return Jump(
            ref=match.group("ref"), until=_condition(match.group("until") or match.group("until2"))
        )
    if _RESTART.search(clause):
        return Jump(ref="1")
    if (match := _GOTO.search(clause)) and (match.group("ref") or not subject_of(clause).actor):
        verb = match.group("verb").lower()
        back = bool(match.group("back")) or verb.startswith(
            ("return", "loop", "repeat", "start", "restart", "is", "are", "send")
        )
        ref = match.group("ref") or match.group("words")
        return Jump(ref=ref.strip(), back=back)
    return None


def _checks_whether(main: str) -> bool:
    """ "The clerk checks if the PO is valid" asks a question; it sets no condition."""
    return any(w.lower() in _CHECK_VERBS for w in words(main)[-3:]) or main.lower().endswith(
        ("to see", "to find out", "to determine")
    )


def _whether(clause: str) -> str | None:
    """ "checks whether the form is complete" → "the form is complete"."""
    match = re.search(r"\b(?:whether|if)\s+(?P<cond>.+?)(?:\s+or\s+not)?$", clause, re.I)
    return match.group("cond") if match and _checks_whether(clause[: match.start()]) else None


def _object_role(pieces: list[Piece]) -> str | None:
    """ "returns it to the student, who corrects it": the student acts next."""
    last = pieces[-1] if pieces else None
    if not isinstance(last, Task):
        return None
    match = re.search(r"\b(?:to|by|with|from)\s+(?:the\s+)?(?P<noun>[\w\s-]+?)$", last.text, re.I)
    return _role(words(match.group("noun")), True) if match else None


def _condition(text: str) -> str:
    return text.strip(" ,.;:").removesuffix("?")


def _clean(sentence: str) -> str:
    text = " ".join(sentence.split()).strip(" .;")
    return _LEAD_IN.sub("", text).strip()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _items(pieces: list[Piece]) -> list[Item]:
    """Pieces inside one branch, "meanwhile" and "otherwise" applied among themselves."""
    items: list[Item] = []
    for piece in pieces:
        append(items, piece)
    return items
