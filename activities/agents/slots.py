"""What a message pins down beyond its route: files, a date column, a reference back.

Shared by every analyzer backend and by the liaisons, so "the last one" or "use the
date column" means the same thing whichever backend classified the message.
"""

import re

from models.agents import TurnContext
from models.files import FileRef

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9_]+")
"""A message's words keep their underscores: "order_date" names a column, not orders.csv."""
_GENERIC = frozenset(
    {"data", "dataset", "file", "sheet", "table", "export", "final", "copy", "sample", "test"}
)
"""Words of file names too common in requests to name a file by."""
_ALL_FILES = re.compile(r"\b(all|every|each|both)\b.{0,12}\b(files?|data ?sets?|spreadsheets?)\b")
_LATEST = re.compile(r"\b(the )?(last|latest|newest|most recent) (one|file|upload)\b")
_DATE_COLUMN = re.compile(
    r"(?:\b(?:over|by|using|use|on|with) |^)(?:the )?([a-z_][\w]*) column\b"
    r"|\b(?:by|over|per) ([a-z_]*date[\w]*)\b"
)
_RETRY = re.compile(
    r"^(?:(?:ok|okay|nice|great|thanks|cool|hmm|good)[.!,]* )?"
    r"(?:(please )?(retry|try|run|do) (that|it|this)( again)?\b|try again\b)"
)
_ORDINAL = re.compile(
    r"^(?:(?:use|take|pick|it's|its|the|that|i mean|please|,|\s)+)?"
    r"(first|second|third|fourth|1st|2nd|3rd|4th|former|latter)\b"
    r"(?: (?:one|file|table|sop|document|dataset|procedure|spreadsheet))?"
    r"(?: (?:one|only|please|now))*[.!]?$"
)
_POSITIONS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
}
_REFINES = re.compile(
    r"^(?:ok(?:ay)?,? |great,? |cool,? |thanks,? |good,? )?(?:and|also|now|only|just|but|then|"
    r"instead|same|what about|how about|try|make it|do it|this time)\b"
    r"|\b(?:instead|as a chart|as a table|by (?:month|year|week|day|quarter)|per (?:month|year)"
    r"|top \d+|bottom \d+|that one|this one|the result|those results|those numbers"
    r"|the (?:other|previous|same) (?:file|one|table|sop)|(?:the|that) \w+ column)\b"
)
_FILE_NOUN = re.compile(r"\b(files?|tables?|sops?|documents?|datasets?|spreadsheets?)\b")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+$")
_REPEAT = re.compile(r"\b(do|run) (the )?same\b|\bsame (thing|again)\b")


def normalize(text: str) -> str:
    """Lower case with runs of white space folded: what every pattern here reads."""
    return _SPACES.sub(" ", text.lower()).strip()


def mentioned_files(text: str, files: list[FileRef]) -> list[FileRef]:
    """Files the message names: by file name (with or without extension), id, or a
    distinctive word of the name ("the refund one" for refunds.md)."""
    lowered = text.lower()
    words = {word.rstrip("s") for word in _TOKEN.findall(lowered)}
    return [
        ref
        for ref in files
        if ref.name.lower() in lowered
        or ref.name.lower().rsplit(".", 1)[0] in lowered.split()
        or ref.file_id in lowered
        or words & _name_words(ref.name)
    ]


def _name_words(name: str) -> set[str]:
    """The distinctive words of a file name, singular: "refunds_2024.md" -> {"refund"}."""
    stem = name.lower().rsplit(".", 1)[0]
    return {
        word.rstrip("s")
        for word in _WORD.findall(stem)
        if len(word) >= 4 and word.rstrip("s") not in _GENERIC and not word.isdigit()
    }


def focus(context: TurnContext) -> list[FileRef]:
    """The session files a message points at: named ones, else "the last one"."""
    named = mentioned_files(context.text, context.session_files)
    if named:
        return named
    if _LATEST.search(normalize(context.text)) and context.session_files:
        return context.session_files[-1:]
    return []


def date_column(text: str) -> str | None:
    """A column named for trends ("over the order_date column", "by signup_date")."""
    match = _DATE_COLUMN.search(normalize(text))
    return (match.group(1) or match.group(2)) if match else None


def ordinal(text: str) -> int | None:
    """ "the second file", "2nd one": which of the files just listed the user picks."""
    match = _ORDINAL.search(normalize(text))
    return _POSITIONS[match.group(1)] if match else None


def refines(text: str) -> bool:
    """ "now by month", "only for 2015", "the other file", "the date column": words that
    take the last turn further rather than start something new."""
    return bool(_REFINES.search(normalize(text)))


def names_a_column(text: str) -> bool:
    """A bare column name ("unit_price"): the usual answer to "which column do you mean?"."""
    return bool(_IDENTIFIER.match(normalize(text).strip(" .!?")))


def names_files(text: str) -> bool:
    """Whether "the second ..." is about files ("the second file") rather than options."""
    return bool(_FILE_NOUN.search(normalize(text)))


def asks_to_retry(text: str) -> bool:
    """ "retry that", "try it again": a reference to the last execution."""
    return bool(_RETRY.search(normalize(text)))


def asks_to_repeat(text: str) -> bool:
    """ "do the same for orders.csv": the last intent again, on other files."""
    return bool(_REPEAT.search(normalize(text)))


def extract(context: TurnContext) -> dict[str, str]:
    """The slots a rationale reports: files named, all files, the latest, a date column."""
    slots: dict[str, str] = {}
    named = focus(context)
    if named:
        slots["files"] = ", ".join(ref.name for ref in named)
    elif _ALL_FILES.search(normalize(context.text)):
        slots["files"] = "all"
    if column := date_column(context.text):
        slots["date_column"] = column
    return slots
