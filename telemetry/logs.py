"""Logging for every process: one `configure_logging(settings)`, ids on every line.

A line says whose it is: the user, session, turn and execution ids come from the
record's `extra`, from ids bound to the running task (`bind_ids`, e.g. by a socket
once it knows its session), or from Temporal's own workflow/activity logger extras
(`session-<id>` / `exec-<id>` workflow ids). The current trace id joins them when a
span is active. `SYMPHAINY_LOG_FORMAT=json` writes one JSON object a line with the ids
as fields; the text format appends them as `key=value`, so `grep session_id=<id>` works
either way. Filters that keep secrets out (`RedactTokens`) sit on the one handler, so
no logger can bypass them.
"""

import logging
import re
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter
from temporalio import activity, workflow

from settings import Settings

IDS = ("user_id", "session_id", "turn_id", "execution_id", "trace_id")
"""The fields a line carries when they apply, in this order."""

QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "temporalio": logging.WARNING}
"""Per-request HTTP client lines and the SDK's routine chatter stay out of the output..."""
OURS = ("temporalio.workflow", "temporalio.activity")
"""...but what our workflows and activities log through the SDK's loggers stays in."""

_BOUND: ContextVar[Mapping[str, str] | None] = ContextVar("symphainy_log_ids", default=None)
_WORKFLOW_PREFIXES = {"session-": "session_id", "exec-": "execution_id"}
_TOKEN = re.compile(r"((?:access_token|token)=)[^&\s]+", re.IGNORECASE)
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def bind_ids(**ids: str | None) -> None:
    """Attach ids to every line logged from this task on (and tasks it starts later)."""
    _BOUND.set({**(_BOUND.get() or {}), **{k: v for k, v in ids.items() if v}})


class ContextIds(logging.Filter):
    """Sets the id fields a record lacks from the task's bound ids, Temporal's extras and
    the current span; a field that does not apply stays unset (no `null` noise)."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = {**(_BOUND.get() or {}), **_from_temporal(record), **_trace_ids()}
        for key, value in found.items():
            if not getattr(record, key, None):
                setattr(record, key, value)
        return True


class RedactTokens(logging.Filter):
    """Keeps `access_token=`/`token=` values out of every line (uvicorn's access log
    prints query strings); other filters that keep secrets out join this one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN.sub(r"\1<redacted>", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _TOKEN.sub(r"\1<redacted>", record.msg)
        return True


class TextWithIds(logging.Formatter):
    """The plain format plus ` key=value` for each id the record carries."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{key}={getattr(record, key)}" for key in IDS if getattr(record, key, None))
        return f"{line} {ids}" if ids else line


def configure_logging(settings: Settings) -> None:
    """One handler on the root logger for the whole process; safe to call again.

    Uvicorn's loggers are routed through it too, so access and error lines get the same
    format, the same ids and the same redaction. Temporal's loggers stop appending their
    info dict to the message: the ids come out as fields (JSON keeps the whole dict).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(settings))
    handler.addFilter(ContextIds())
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn = logging.getLogger(name)
        uvicorn.handlers.clear()
        uvicorn.propagate = True
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(max(level, root.level))
    for name in OURS:
        logging.getLogger(name).setLevel(root.level)
    activity.logger.activity_info_on_message = False
    workflow.logger.workflow_info_on_message = False


def _formatter(settings: Settings) -> logging.Formatter:
    if settings.log_format == "json":
        return JsonFormatter(
            _TEXT_FORMAT,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return TextWithIds(_TEXT_FORMAT)


def _from_temporal(record: logging.LogRecord) -> dict[str, str]:
    """Ids from the extras Temporal's workflow and activity loggers attach."""
    info: Any = getattr(record, "temporal_workflow", None) or getattr(
        record, "temporal_activity", None
    )
    if not isinstance(info, dict):
        return {}
    workflow_id = str(info.get("workflow_id", ""))
    for prefix, key in _WORKFLOW_PREFIXES.items():
        if workflow_id.startswith(prefix):
            return {key: workflow_id.removeprefix(prefix)}
    return {}


def _trace_ids() -> dict[str, str]:
    context = trace.get_current_span().get_span_context()
    return {"trace_id": format(context.trace_id, "032x")} if context.is_valid else {}
