"""Per-user caps that hold across reconnects and across API processes.

Two sources of truth, each where it is exact:

- **What is open now** (sessions, running executions) is counted in Temporal's
  visibility by the `UserId` search attribute: the workflows are the truth, every API
  process sees the same count, and whatever ends (an idle session, a finished
  execution) stops counting without any bookkeeping of ours.
- **What was started in the last minute** (sessions, REST intents) is a sliding window
  in a small SQLite file in the data dir that all API processes share. Visibility could
  count starts too, but it is written after the start, so a burst of concurrent starts
  would all see the old count; one SQLite transaction checks and records atomically.

Over a cap: `RateLimited`, with the seconds after which trying again can succeed.
"""

import asyncio
import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from settings import Settings

WINDOW_SECONDS = 60.0
BUSY_RETRY_SECONDS = 5
"""Retry-After for a cap on things open now: nobody knows when one will end."""


class RateLimited(Exception):
    """Over a per-user cap: nothing was started."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caps:
    sessions_per_minute: int
    open_sessions: int
    intents_per_minute: int
    running_executions: int


class UserCaps:
    """Checks a user's caps before a session or an execution is started."""

    def __init__(self, client: Client, settings: Settings) -> None:
        self._client = client
        self._caps = Caps(
            settings.sessions_per_minute,
            settings.max_open_sessions,
            settings.intents_per_minute,
            settings.max_running_executions,
        )
        self._enforced = settings.auth_mode == "token" or settings.caps_in_local_mode
        self._window = StartWindow(settings.data_dir / "limits.sqlite")

    async def new_session(self, user_id: str) -> None:
        """Before a session's first message starts its workflow."""
        if not self._enforced:
            return
        await self._under(user_id, "Conversation", self._caps.open_sessions, "open sessions")
        await self._window.hit(user_id, "session", self._caps.sessions_per_minute, "sessions")

    async def new_execution(self, user_id: str) -> None:
        """Before a REST intent starts an execution."""
        if not self._enforced:
            return
        caps = self._caps
        await self._under(user_id, "IntentExecution", caps.running_executions, "running executions")
        await self._window.hit(user_id, "intent", caps.intents_per_minute, "intents")

    async def _under(self, user_id: str, workflow_type: str, cap: int, what: str) -> None:
        query = (
            f'WorkflowType="{workflow_type}" AND ExecutionStatus="Running" '
            f"AND UserId={_quoted(user_id)}"
        )
        running = (await self._client.count_workflows(query)).count
        if running >= cap:
            raise RateLimited(
                f"you have {running} {what}; the limit is {cap}: wait for one to end",
                BUSY_RETRY_SECONDS,
            )


class StartWindow:
    """Starts per user and kind over the last minute, shared through one SQLite file.

    One connection per process, kept open: closing the last connection checkpoints the
    WAL with an fsync, which cost ~20 ms a check on this machine's disk (0.05 ms kept
    open). WAL with `synchronous=NORMAL`: a power cut may forget the last starts, which
    only lets a user start a few more that minute.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS starts (user TEXT, kind TEXT, at REAL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS starts_by_user ON starts (user, kind)")

    async def hit(self, user_id: str, kind: str, cap: int, what: str) -> None:
        """Record a start, or `RateLimited` when `cap` were recorded within the window."""
        retry_after = await asyncio.to_thread(self._hit, user_id, kind, cap)
        if retry_after is not None:
            raise RateLimited(
                f"more than {cap} {what} a minute; try again in {retry_after} s", retry_after
            )

    def _hit(self, user_id: str, kind: str, cap: int) -> int | None:
        """One `BEGIN IMMEDIATE` transaction: no other process checks in between."""
        now = time.time()
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM starts WHERE at <= ?", (now - WINDOW_SECONDS,))
            count, oldest = self._db.execute(
                "SELECT count(*), min(at) FROM starts WHERE user = ? AND kind = ?",
                (user_id, kind),
            ).fetchone()
            if count >= cap:
                return max(1, math.ceil(float(oldest) + WINDOW_SECONDS - now))
            self._db.execute("INSERT INTO starts VALUES (?, ?, ?)", (user_id, kind, now))
            return None


def _quoted(value: str) -> str:
    """A string literal for a visibility query."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
