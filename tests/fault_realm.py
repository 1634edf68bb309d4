"""A test-only realm whose faults the tests control through files.

Loaded by the test stack through `SYMPHAINY_INTENT_MODULES` (the API reads its `CATALOG`,
the worker its `INTENTS`); the production catalog never contains it.
"""

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from activities.catalog import CatalogEntry
from activities.realms.context import RealmContext
from activities.realms.spec import IntentSpec
from models.intents import Realm


class FlakyParams(BaseModel):
    control: str
    """A file holding how many more attempts should fail."""
    permanent: bool = False
    """Fail as bad input (no automatic retry) instead of as a transient fault."""


class SlowParams(BaseModel):
    seconds: float
    output: str
    """Where the finished work lands (written atomically, so a cancel leaves nothing)."""


class BrokenParams(BaseModel):
    reason: str = "the input is bad"


class EffectParams(BaseModel):
    ledger: str
    """A folder where each execution leaves exactly one effect file, keyed on its id."""
    seconds: float = 0.0
    linger: float = 0.0
    """How long the attempt goes on after its effect is written."""
    hold: Literal["running", "written"] | None = None
    """Wait at that moment until the ledger holds a `.release` file: a kill lands there
    without a timing window."""


class Done(BaseModel):
    attempt_failures_left: int = 0
    output: str | None = None
    effects: int = 0


def flaky(ctx: RealmContext, params: FlakyParams) -> Done:
    """Fails with a transient I/O error while the control file counts above zero."""
    control = Path(params.control)
    left = int(control.read_text())
    if left > 0:
        control.write_text(str(left - 1))
        if params.permanent:
            raise ApplicationError("the input was refused", type="bad_input", non_retryable=True)
        raise OSError(f"transient fault injected ({left} left)")
    return Done()


def slow(ctx: RealmContext, params: SlowParams) -> Done:
    """Works for a while, reporting progress; only a finished run leaves its output."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < params.seconds:
        ctx.progress("working", round(100 * elapsed / params.seconds, 1))
        time.sleep(0.05)
    tmp = Path(params.output + ".tmp")
    tmp.write_text("done")
    os.replace(tmp, params.output)
    return Done(output=params.output)


def parse(ctx: RealmContext, params: SlowParams) -> Done:
    """Like a long parse: busy in Python, never reporting progress, output at the end."""
    Path(params.output + ".started").touch()
    deadline = time.monotonic() + params.seconds
    while time.monotonic() < deadline:
        sum(range(1_000))
    Path(params.output).write_text("parsed")
    return Done(output=params.output)


def broken(ctx: RealmContext, params: BrokenParams) -> Done:
    raise ApplicationError(params.reason, type="bad_input", non_retryable=True)


def effect(ctx: RealmContext, params: EffectParams) -> Done:
    """An effect keyed on the execution id: a re-run after a crash does not repeat it.

    `.running-<pid>` marks the work under way, `.written-<pid>` the effect done while
    the attempt still lingers: a crash drill kills the worker at either moment.
    """
    ledger = Path(params.ledger)
    target = ledger / ctx.execution_id
    release = ledger / ".release" if params.hold == "running" else None
    _work(ctx, ledger / f".running-{os.getpid()}", params.seconds, release)
    if not target.exists():
        tmp = ledger / f".{ctx.execution_id}.{os.getpid()}"
        tmp.write_text(str(os.getpid()))
        os.replace(tmp, target)
    release = ledger / ".release" if params.hold == "written" else None
    _work(ctx, ledger / f".written-{os.getpid()}", params.linger, release)
    return Done(effects=len([p for p in ledger.iterdir() if not p.name.startswith(".")]))


def _work(ctx: RealmContext, marker: Path, seconds: float, release: Path | None) -> None:
    """Report progress for `seconds`, and then until `release` exists (at most a minute)."""
    marker.touch()
    deadline = time.monotonic() + seconds
    held_until = time.monotonic() + 60
    while time.monotonic() < deadline or (
        release is not None and not release.exists() and time.monotonic() < held_until
    ):
        ctx.progress("working", None)
        time.sleep(0.05)


FLAKY = CatalogEntry("test_flaky", Realm.CONTENT, "fails while told to", FlakyParams)
SLOW = CatalogEntry("test_slow", Realm.INSIGHTS, "takes its time", SlowParams)
PARSE = CatalogEntry("test_parse", Realm.CONTENT, "a long parse, no progress", SlowParams)
BROKEN = CatalogEntry("test_broken", Realm.JOURNEY, "always bad input", BrokenParams)
GATED = CatalogEntry(
    "test_gated", Realm.CONTENT, "needs the user's approval", BrokenParams, needs_approval=True
)
HANG = CatalogEntry(
    "test_hang",
    Realm.INSIGHTS,
    "outlives its time bounds",
    SlowParams,
    start_to_close=timedelta(seconds=1),
    schedule_to_close=timedelta(seconds=3),
)
EFFECT = CatalogEntry("test_effect", Realm.CONTENT, "one effect per execution", EffectParams)
CATALOG = [FLAKY, SLOW, PARSE, BROKEN, GATED, HANG, EFFECT]
"""What the API validates against: a plugin's entries, like a realm's catalog module."""

INTENTS = [
    IntentSpec(FLAKY, flaky),
    IntentSpec(SLOW, slow),
    IntentSpec(PARSE, parse),
    IntentSpec(BROKEN, broken),
    IntentSpec(GATED, lambda ctx, params: Done()),
    IntentSpec(HANG, slow),
    IntentSpec(EFFECT, effect),
]
