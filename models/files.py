"""References to stored files: what travels through Temporal instead of bytes, and the
one rule that says whether a file is a table or prose."""

import codecs
from typing import Any, Literal

from pydantic import BaseModel, model_validator

FileKind = Literal["table", "text"]
"""A table (CSV, Excel, JSON records, Parquet...) or prose (an SOP, Markdown, text)."""

PROSE_SUFFIXES = (".md", ".markdown")
"""Always prose, whatever their lines look like (a Markdown table is still an SOP's)."""
AMBIGUOUS_SUFFIXES = (".txt",)
"""Prose or a table, told by the content: Excel's "Unicode text" and "Text (Tab
delimited)" exports are .txt tables, and so is many a report tool's; an SOP is often
a .txt too."""
DELIMITERS = ("\t", ";", ",", "|")
KIND_LINES = 10
"""Non-empty lines of the head that decide an ambiguous file's kind."""
KIND_HEAD_BYTES = 64 * 1024
"""How much of an upload `file_kind` reads."""
TABLE_SHARE = 0.8
"""Share of those lines that must split into the first line's number of fields."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def file_kind(name: str, head: bytes = b"") -> FileKind:
    """Markdown is prose; a .txt is a table when its head's lines split alike on one
    delimiter, else prose; every other file is read as a table."""
    lower = name.lower()
    if lower.endswith(PROSE_SUFFIXES):
        return "text"
    if lower.endswith(AMBIGUOUS_SUFFIXES):
        return "table" if _delimited(_lines(head)) else "text"
    return "table"


def _lines(head: bytes) -> list[str]:
    """The first non-empty lines, decoded as the file's BOM or UTF-8 (else cp1252) says."""
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), None)
    if encoding is not None:
        text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as err:
            cut_mid_character = err.start >= len(head) - 3
            text = (
                head[: err.start].decode("utf-8")
                if cut_mid_character
                else head.decode("cp1252", errors="replace")
            )
    return [line for line in text.splitlines() if line.strip()][:KIND_LINES]


def _delimited(lines: list[str]) -> bool:
    """At least two lines, and one delimiter splitting most of them into the header's
    number of fields (two or more): a table's rows do, a paragraph's commas do not."""
    if len(lines) < 2:
        return False
    for delimiter in DELIMITERS:
        fields = lines[0].count(delimiter)
        if fields == 0:
            continue
        alike = sum(1 for line in lines if line.count(delimiter) == fields)
        if alike >= TABLE_SHARE * len(lines):
            return True
    return False


class FileRef(BaseModel):
    """A stored file as the contract shows it (`POST /api/files`)."""

    file_id: str
    name: str
    size: int
    sha256: str
    content_type: str
    kind: FileKind = "table"
    """Told at upload from the name and the first bytes (`file_kind`); a ref made
    without one is told by its name (the validator below), never by this default."""

    @model_validator(mode="before")
    @classmethod
    def _kind_of_older_refs(cls, data: Any) -> Any:
        """Refs recorded before `kind` existed (stored files, running sessions' histories)
        are told by their name alone."""
        if isinstance(data, dict) and "kind" not in data and "name" in data:
            return {**data, "kind": file_kind(str(data["name"]))}
        return data
