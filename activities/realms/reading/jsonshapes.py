"""JSON documents as tables: arrays, records under a key, JSON Lines, nested values.

Nested objects become dotted columns (`address.city`); lists, and objects inside
lists, stay one cell holding their JSON text, so nothing is lost and nothing later
has to handle a Python list in a cell.
"""

import json
from typing import Any

import polars as pl

MAX_DEPTH = 4


def records_frame(text: str, kind: str, json_path: str | None) -> tuple[pl.DataFrame, str | None]:
    """The records as a frame of text columns, and the path they were found under."""
    if kind == "jsonl":
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        return _frame(records), None
    document = json.loads(text)
    path = json_path if json_path is not None else _record_path(document)
    records = _at(document, path) if path else document
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise ValueError(
            f"there are no records at {path or 'the top level'}; set read_options.json_path"
        )
    return _frame(records), path or None


def _record_path(document: Any) -> str:
    """Where the largest array of objects is (`data`, `result.items`), "" at the top."""
    if isinstance(document, list):
        return ""
    best = ("", 0)
    for path, value in _walk(document, "", 0):
        records = isinstance(value, list) and all(isinstance(v, dict) for v in value[:50])
        if records and len(value) > best[1]:
            best = (path, len(value))
    return best[0]


def _walk(value: Any, prefix: str, depth: int) -> list[tuple[str, Any]]:
    if not isinstance(value, dict) or depth >= MAX_DEPTH:
        return []
    found = []
    for key, inner in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        found.append((path, inner))
        found.extend(_walk(inner, path, depth + 1))
    return found


def _at(document: Any, path: str) -> Any:
    value = document
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise ValueError(f"{path!r} is not a key of the document")
        value = value[key]
    return value


def _frame(records: list[Any]) -> pl.DataFrame:
    """Flattened records as text columns in order of first appearance."""
    rows = [_flat(r if isinstance(r, dict) else {"value": r}, "") for r in records]
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {n: [row.get(n) for row in rows] for n in names}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _flat(record: dict[str, Any], prefix: str) -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{name}."))
        else:
            flat[name] = _cell(value)
    return flat


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
