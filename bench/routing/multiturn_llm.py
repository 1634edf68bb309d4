"""Per-turn route and intent accuracy over the multi-turn conversations, LLM backend.

Run: `.venv/bin/python -m bench.routing.multiturn_llm` (`-v` lists the misses, `--share`
and `--seed` set the faulty runs). The conversations of `bench.routing.multiturn` run
through the agents' activities with the LLM backend (`activities/agents/llm.py`), each
turn in an activity context (first attempt of three, as the worker runs the agents),
against the recorded OpenAI-compatible server (`tests/openai_stub.py`: a real uvicorn,
JSON-schema answers, tool calls streamed in chunks).

No real model is reachable here, so the recording is the turn's labels: a model right
about each message on its own. The guide's call answers the turn's label; a liaison's
call answers the turn's intent as a tool call when it is one of its tools (on the files
the message names, else those sent with it, else all of the kinds the intent reads), the
Content liaison ingests the files sent, and otherwise it asks in words; the router
compares when the turn's intent is a comparison; the Insights liaison's SQL call counts
the rows of the first table when the turn's intent is a question. The SQL and the files
are not scored, only where the turn went and its plan's last intent, as offline. What is
measured is what the platform does with right answers across turns (hand-back, files
by kind, the checks of a call), then with a model wrong on a seeded share of calls:
another label for the guide, or a malformed answer (sent back once, then the offline
backend answers).
"""

import argparse
import asyncio
import dataclasses
import json
import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from openai import AsyncOpenAI
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment

from activities.agents.activities import AgentActivities
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from activities.agents.liaisons.insights import COMPARE
from activities.agents.llm import ChatModel, LLMBackend
from activities.catalog import Catalog, CatalogEntry
from bench.routing.dialogues import CONVERSATIONS, SESSIONS, Turn
from bench.routing.multiturn import COLUMNS, Schemas, Session, expected, score
from bench.routing.run import label_of
from models.files import file_kind
from models.intents import Intent
from tests.openai_stub import Stub, schema_name, serving, tool_call, tool_names, user_input

Conversations = list[tuple[str, list[Turn]]]
CONFIDENCE = 0.9
"""The recorded guide's confidence: sure, short of the hand-back's topic change (0.95)."""
QUERY = "query_data"
SAID = "On it."
"""The words a recorded tool call comes with."""
ASKED = "What should I work on?"
"""A recorded liaison's words when the turn's intent is none of its tools."""


@dataclass(frozen=True)
class Faults:
    """How often the recorded model is wrong: a share of the guide's calls answer another
    (valid) label, a share of all calls answer what fails validation. Each call's draw
    depends on the seed, the turn, the call's kind and try, never on the calls' order."""

    wrong_labels: float = 0.0
    malformed: float = 0.0
    seed: int = 0


class Recording:
    """The recorded model's answers to the requests of the turn being played."""

    def __init__(self, catalog: Catalog, labels: list[str], faults: Faults = Faults()) -> None:
        self._catalog = catalog
        self._labels = labels
        self.faults = faults
        self.turn: Turn = ("", "clarify", None)
        self._where = ""
        self.strays: list[str] = []
        """Messages of requests that were not about the turn being played."""
        self.given: Counter[str] = Counter()
        """The answers given, by kind: guide, liaison, router, sql, wrong label, malformed."""

    def play(self, turn: Turn, where: str) -> None:
        """Answer for `turn` (`where` names it in the seeded draws) until the next."""
        self.turn, self._where = turn, where

    def __call__(self, body: dict[str, Any]) -> str | dict[str, Any]:
        kind = "liaison" if "tools" in body else schema_name(body)
        described = user_input(body)
        text = described.get("message", described.get("question"))
        if text != self.turn[0]:
            self.strays.append(str(text))
        tries = _tries(body)
        pillar = body["messages"][1]["content"].split("\n")[0] if kind == "liaison" else ""
        draw = random.Random(f"{self.faults.seed}/{self._where}/{kind}{pillar}/{tries}").random()
        self.given[kind] += 1
        if draw < self.faults.malformed:
            self.given["malformed"] += 1
            return _malformed(body)
        if kind == "GuideAnswer":
            wrong = draw < self.faults.malformed + self.faults.wrong_labels
            self.given["wrong label"] += wrong
            return _json(label=self._other() if wrong else self.label(), confidence=CONFIDENCE)
        if kind == "liaison":
            return self._liaison(body, described)
        if kind == "RouterAnswer":
            return self._router(described)
        return self._sql(described)

    def label(self) -> str:
        """The guide's right answer: the turn's label (a reference back, which the guide
        resolves before asking, reads as nothing on its own)."""
        label = self.turn[1]
        return "clarify" if label == "reference" else label

    def _other(self) -> str:
        """A wrong label, the same for the same turn and seed."""
        others = [label for label in self._labels if label != self.label()]
        return random.Random(f"{self.faults.seed}/{self._where}/label").choice(others)

    def _liaison(self, body: dict[str, Any], described: dict[str, Any]) -> str | dict[str, Any]:
        """The turn's intent if the liaison has it, else the files sent taken in, else a
        question."""
        intent = self.turn[2]
        tools = tool_names(body)
        files: list[dict[str, Any]] = described["files"]
        if intent in tools:
            arguments = _arguments(self._catalog.entry(intent), self.turn[0], files)
            if arguments is not None:
                return tool_call(intent, arguments, SAID)
        sent = [f for f in files if f["attached_now"]]
        if "ingest_file" in tools and sent:
            return tool_call("ingest_file", {"file_id": sent[0]["file_id"]}, SAID)
        return ASKED

    def _router(self, described: dict[str, Any]) -> str:
        """The turn's comparison, else a question back."""
        ids = _compared(described["files"], self.turn[0])
        if self.turn[2] != COMPARE or len(ids) < 2:
            return _json(compare=False, file_ids=[], text="Which files should I compare?")
        return _json(compare=True, file_ids=ids, text="I'll compare them.")

    def _sql(self, described: dict[str, Any]) -> str:
        """A count over the first table for a question; else a question back."""
        if self.turn[2] != QUERY:
            return _json(sql=None, text="Which column do you mean?")
        table = described["tables"][0]["table"]
        return _json(sql=f'SELECT COUNT(*) AS n FROM "{table}"', text="Counting the rows.")


def _json(**fields: Any) -> str:
    if "confidence" in fields:
        fields["rationale"] = "recorded"
    return json.dumps(fields)


def _malformed(body: dict[str, Any]) -> str | dict[str, Any]:
    """What fails validation: a call on a file the session does not have, or not JSON."""
    if "tools" in body:
        return tool_call(tool_names(body)[0], {"file_ids": ["unknown"], "file_id": "unknown"})
    return "not json"


def _chosen(files: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The files a message means on its own: those it names, else those sent, else all."""
    lowered = text.lower()
    named = [f for f in files if f["name"].lower() in lowered]
    sent = [f for f in files if f["attached_now"]]
    return named or sent or files


def _compared(files: list[dict[str, Any]], text: str) -> list[str]:
    """The tables a comparison takes: those the message names, else all (the session's
    and those sent with it)."""
    tables = [f for f in files if file_kind(f["name"]) == "table"]
    named = [f for f in tables if f["name"].lower() in text.lower()]
    return [f["file_id"] for f in (named if len(named) >= 2 else tables)]


def _arguments(
    entry: CatalogEntry, text: str, files: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The intent's params for the message, shaped by its catalog entry; None when no file
    of its kinds is meant (the model would ask)."""
    fields = entry.params.model_fields
    if "text" in fields and len([line for line in text.splitlines() if line.strip()]) >= 3:
        return {"text": text}
    ids = [f["file_id"] for f in _chosen(files, text) if file_kind(f["name"]) in entry.file_kinds]
    if entry.name == COMPARE:
        ids = _compared(files, text)
    if not ids:
        return None
    arguments: dict[str, Any] = {"file_ids": ids} if "file_ids" in fields else {"file_id": ids[0]}
    dated = [n for cols in COLUMNS.values() for n, t in cols if t == "datetime" and n in text]
    if "date_column" in fields and dated:
        arguments["date_column"] = dated[0]
    if "question" in fields:
        arguments["question"] = text
    return arguments


@dataclass
class Figures:
    """One run's per-turn scores and what the model path cost."""

    turns: int = 0
    routes: int = 0
    intents: int = 0
    both: int = 0
    calls: list[int] = field(default_factory=list)
    """Model calls per turn."""
    sent_back: int = 0
    """Calls that sent an invalid answer back to the model."""
    fell_back: int = 0
    """Agent answers the offline backend gave after two invalid ones."""
    wrong_kind: int = 0
    """Planned intents on a file of a kind they cannot read."""
    misses: Counter[str] = field(default_factory=Counter)


class _FallBacks(logging.Handler):
    """Counts the LLM backend's falls back to the offline backend (it logs each)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("llm backend fell back")


@contextmanager
def _counting() -> Iterator[_FallBacks]:
    logger = logging.getLogger("activities.agents.llm")
    handler = _FallBacks()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


async def evaluate(
    stub: Stub, recording: Recording, conversations: Conversations, verbose: bool = False
) -> Figures:
    """Every conversation through the LLM backend, the stub answering from `recording`."""
    liaisons = default_liaisons()
    offline = OfflineBackend(ClassifierAnalyzer(liaisons=liaisons), liaisons)
    client = AsyncOpenAI(base_url=stub.url, api_key="unused", timeout=30, max_retries=0)
    backend = LLMBackend(ChatModel(client, "recorded"), offline)
    agents = AgentActivities(backend, liaisons.catalog, Schemas())
    stub.respond = recording
    figures = Figures()
    async with client:
        with _counting() as fallbacks:
            await _play(stub, recording, conversations, agents, liaisons.catalog, figures, verbose)
    figures.fell_back = fallbacks.count
    if recording.strays:
        raise SystemExit(f"requests not about the turn played: {recording.strays[:3]}")
    return figures


async def _play(
    stub: Stub,
    recording: Recording,
    conversations: Conversations,
    agents: AgentActivities,
    catalog: Catalog,
    figures: Figures,
    verbose: bool,
) -> None:
    """Each turn in an activity context, scored, its model calls counted."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, attempt=1, retry_policy=RetryPolicy(maximum_attempts=3)
    )
    for number, (files, conversation) in enumerate(conversations):
        session = Session(agents, SESSIONS[files])
        for index, turn in enumerate(conversation):
            text, label, intent, attached = expected(turn)
            recording.play(turn, f"{number}.{index}")
            before = len(stub.requests)
            analysis, plan = await env.run(session.turn, text, attached)
            requests = stub.requests[before:]
            route_ok, intent_ok = score(turn, analysis, plan)
            figures.turns += 1
            figures.routes += route_ok
            figures.intents += intent_ok
            figures.both += route_ok and intent_ok
            figures.calls.append(len(requests))
            figures.sent_back += sum(_tries(body) > 0 for body in requests)
            figures.wrong_kind += _wrong_kind(session, catalog, plan.intents)
            if route_ok and intent_ok:
                continue
            figures.misses[label] += 1
            if verbose:
                got = plan.intents[-1].name if plan.intents else None
                print(
                    f"  #{number} {text!r}: want {label}/{intent}, "
                    f"got {label_of(analysis, text)}/{got} ({analysis.rationale[:80]})"
                )


def _tries(body: dict[str, Any]) -> int:
    """How many of the model's answers the request sends back."""
    return sum(m["role"] == "assistant" for m in body["messages"])


def _wrong_kind(session: Session, catalog: Catalog, intents: list[Intent]) -> int:
    """Intents planned on a file of a kind their catalog entry does not read."""
    kinds = {ref.file_id: ref.kind for ref in session.files}
    wrong = 0
    for intent in intents:
        ids = intent.params.get("file_ids") or [intent.params.get("file_id")]
        entry = catalog.entry(intent.name)
        wrong += any(i in kinds and kinds[i] not in entry.file_kinds for i in ids)
    return wrong


def runs(share: float, seed: int) -> list[tuple[str, Faults]]:
    """The recorded model right, then wrong on `share` of calls, then never valid."""
    percent = f"{share:.0%}"
    return [
        ("right", Faults(seed=seed)),
        (f"{percent} guide labels wrong", Faults(wrong_labels=share, seed=seed)),
        (f"{percent} answers malformed", Faults(malformed=share, seed=seed)),
        ("every answer malformed", Faults(malformed=1.0, seed=seed)),
    ]


def line(name: str, figures: Figures, given: Counter[str]) -> str:
    """One run's row: the scores, the calls per turn, the faults given, the checks' work."""
    n = figures.turns
    calls = figures.calls
    return (
        f"{name:24} route {figures.routes / n:6.1%}  intent {figures.intents / n:6.1%}  "
        f"both {figures.both / n:6.1%}  calls/turn {sum(calls) / n:.2f} (max {max(calls)})  "
        f"wrong labels {given['wrong label']}/{given['GuideAnswer']} guide calls  "
        f"malformed {given['malformed']}/{sum(calls)}  sent back {figures.sent_back}  "
        f"fell back {figures.fell_back}  wrong-kind files {figures.wrong_kind}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-v", action="store_true", help="list the misses")
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    liaisons = default_liaisons()
    labels = [*liaisons.labels, "clarify"]
    turns = sum(len(turns) for _, turns in CONVERSATIONS)
    print(
        f"multi-turn, LLM backend against the recorded server: {len(CONVERSATIONS)} "
        f"conversations, {turns} turns"
    )
    with serving() as stub:
        for name, faults in runs(options.share, options.seed):
            recording = Recording(liaisons.catalog, labels, faults)
            if options.v:
                print(f"{name}, misses:")
            figures = asyncio.run(evaluate(stub, recording, CONVERSATIONS, options.v))
            print(line(name, figures, recording.given))
            stub.requests.clear()


if __name__ == "__main__":
    main()
