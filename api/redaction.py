"""No token reaches a log line: every log record of the process is redacted as it is made.

uvicorn logs each WebSocket handshake and request with its query string
(`?access_token=`), and any logger (starlette, temporalio, ours) may print a header or a
traceback that holds one. A filter on a handler sees only that handler's records, and
handlers come and go as logging is configured; the record factory sees every record
of every logger, so the redaction is installed there, once, when the API process starts.
"""

import logging
import re
import traceback
from typing import Any

REDACTED = "<redacted>"
_SECRETS = re.compile(
    r"(?i)(access_token=)[^&\s\"'#]+"
    r"|(bearer[\s,]+)[\w\-.~+/]+=*"
    r"|eyJ[\w-]+\.[\w-]*\.[\w-]*"
)
"""`access_token=` values, `Bearer`/`bearer,` credentials, and anything shaped like a JWT
(its header is base64 JSON, so it starts with `eyJ`) wherever it appears."""


def redact(text: str) -> str:
    """The text with every credential replaced by `<redacted>`."""
    return _SECRETS.sub(lambda match: f"{match.group(1) or match.group(2) or ''}{REDACTED}", text)


def install() -> None:
    """Redact every log record made from now on in this process (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _redact_record(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _redact_record(record: logging.LogRecord) -> None:
    """Redact the message and each argument, keeping their shape (uvicorn's access
    formatter unpacks its arguments); a traceback with a secret is kept as redacted text
    only (`exc_text`), since formatters would otherwise render `exc_info` again."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_value(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _redact_value(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None:
        rendered = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = redact(rendered)
        if clean != rendered:
            record.exc_info, record.exc_text = None, clean
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _redact_value(value: Any) -> Any:
    """A string redacted; any other value as it is, unless its text holds a secret."""
    if isinstance(value, int | float | None):
        return value
    text = value if isinstance(value, str) else str(value)
    clean = redact(text)
    return clean if clean != text or isinstance(value, str) else value
