"""What a message pins down beyond its route: files, a date column, a reference back.

Shared by every analyzer backend and by the liaisons, so "the last one" or "use the
date column" means the same thing whichever backend classified the message.
"""

import re

from models.agents import TurnContext
from models.files import FileRef

_SPACES = re.compile(r"\s+")
_ALL_FILES = re.compile(r"\b(all|every|each|both)\b.{0,12}\b(files?|data ?sets?|spreadsheets?)\b")
_LATEST = re.compile(r"\b(the )?(last|latest|newest|most recent) (one|file|upload)\b")
_DATE_COLUMN = re.compile(
    r"\b(?:over|by|using|use|on|with) (?:the )?([a-z_][\w]*) column\b|\bby ([a-z_]*date[\w]*)\b"
)
_RETRY = re.compile(r"^(please )?(retry|try|run|do) (that|it|this)( again)?\b|^try again\b")
_ORDINAL = re.compile(
    r"^(?:(?:use|take|pick|it's|its|the|that|i mean|please|,|\s)+)?"
    r"(first|second|third|fourth|1st|2nd|3rd|4th)\b"
    r"(?: (?:one|file|table|sop|document|dataset|procedure|spreadsheet))?"
    r"(?: one)?(?: please)?[.!]?$"
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
_REPEAT = re.compile(r"\b(do|run) (the )?same\b|\bsame (thing|again)\b")


def normalize(text: str) -> str:
    """Lower case with runs of white space folded: what every pattern here reads."""
    return _SPACES.sub(" ", text.lower()).strip()


def mentioned_files(text: str, files: list[FileRef]) -> list[FileRef]:
    """Files the message names, by file name (with or without extension) or id."""
    lowered = text.lower()
    return [
        ref
        for ref in files
        if ref.name.lower() in lowered
        or ref.name.lower().rsplit(".", 1)[0] in lowered.split()
        or ref.file_id in lowered
    ]


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
