"""The LLM backend: any OpenAI-compatible endpoint, its answers validated by pydantic.

Each agent's part (the guide's route, a liaison's intent, the router's plan) is one
chat completion asked for JSON of a schema. An answer that does not validate is sent
back once with the validation error; a second bad answer, or a transport fault on the
activity's last attempt, falls back to the offline backend, so an LLM never crashes a
turn. Transport faults on earlier attempts raise, and Temporal retries them with backoff.
A liaison's call is streamed: the words the model writes with it reach the session's
sockets as they come (`deltas.py`) when they are the turn's reply.
"""

import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Self, TypeVar

from openai import AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionFunctionToolParam, ParsedChatCompletionMessage
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, model_validator
from temporalio import activity

from activities.agents import asking, collaboration
from activities.agents.analyzer import decide
from activities.agents.backend import OfflineBackend
from activities.agents.deltas import DeltaPoster, Send, nowhere, reply
from activities.agents.liaisons import Liaisons, liaison_name
from activities.agents.liaisons.base import plan
from activities.agents.liaisons.insights import COMPARE
from activities.agents.slots import extract
from activities.catalog import Catalog, CatalogEntry, InvalidParams
from activities.realms.query import explain
from models.agents import (
    Analysis,
    CollaborationInput,
    LiaisonInput,
    Recommendation,
    TurnContext,
)
from models.files import FileRef
from models.intents import Intent, Realm
from models.query import Query, TableSchema

log = logging.getLogger(__name__)
Answer = TypeVar("Answer", bound=BaseModel)
ToolCheck = Callable[[str, dict[str, Any]], Intent]
"""Turns a tool call (intent name, arguments) into a checked intent, or raises why not."""


class GuideAnswer(BaseModel):
    """The guide's decision: one label of the offline analyzer's, with its confidence."""

    label: str
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(default_factory=list, max_length=3)

    @model_validator(mode="after")
    def _known_labels(self, info: ValidationInfo) -> Self:
        labels: list[str] = (info.context or {}).get("labels", [])
        unknown = [x for x in (self.label, *self.options) if x not in labels]
        if unknown:
            raise ValueError(f"unknown labels {unknown}; use one of {labels}")
        return self


class SqlAnswer(BaseModel):
    """The Insights liaison's SQL for a question about the data, or a question back."""

    sql: str | None = Field(default=None, max_length=8_000)
    text: str = Field(min_length=1, max_length=1_000)

    @model_validator(mode="after")
    def _runs_on_the_files(self, info: ValidationInfo) -> Self:
        """The whitelist, then DuckDB binding it to empty tables of the schemas: no data read."""
        tables: list[TableSchema] = (info.context or {}).get("tables", [])
        if self.sql is not None:
            self.sql = explain(self.sql, tables)
        return self


class RouterAnswer(BaseModel):
    """The router's plan for a comparison: which files, and what to tell the user."""

    compare: bool
    file_ids: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1, max_length=1_000)
    next_steps: list[str] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _two_known_files(self, info: ValidationInfo) -> Self:
        _known_files(self.file_ids, info)
        if self.compare and len(set(self.file_ids)) < 2:
            raise ValueError("a comparison needs at least two distinct file_ids")
        return self


def _known_files(file_ids: list[str], info: ValidationInfo) -> None:
    known: set[str] = (info.context or {}).get("file_ids", set())
    unknown = [i for i in file_ids if i not in known]
    if unknown:
        raise ValueError(f"unknown file_ids {unknown}; use ids of the session's files")


TRIES = 2
"""Model calls per answer: the first, and one more with the first's errors sent back."""


class MalformedAnswer(Exception):
    """The model answered twice with JSON that does not fit the schema."""


class ChatModel:
    """Structured answers from one model of an OpenAI-compatible endpoint."""

    def __init__(self, client: AsyncOpenAI, model: str) -> None:
        self._client = client
        self._model = model

    async def answer(
        self, system: str, prompt: str, schema: type[Answer], context: dict[str, Any]
    ) -> Answer:
        """Ask; a reply that fails validation is sent back once with the errors."""
        messages: list[Any] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        for _ in range(TRIES):
            reply = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,
                temperature=0,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
                },
            )
            content = reply.choices[0].message.content or ""
            try:
                return schema.model_validate_json(content, context=context)
            except ValidationError as err:
                messages += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": f"Invalid answer: {err}. Answer again."},
                ]
        raise MalformedAnswer(schema.__name__)

    async def call_tool(
        self,
        system: str,
        prompt: str,
        tools: list[ChatCompletionFunctionToolParam],
        check: ToolCheck,
        send: Send = nowhere,
    ) -> tuple[str, Intent | None]:
        """The model calls one of `tools` (checked by `check`) or answers in words.

        Its words go to `send` as it writes them, with the call's number (1, then 2 for
        a call sent back). A call that does not validate is sent back once as the tool's
        error.
        """
        messages: list[Any] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        for number in range(1, TRIES + 1):
            message = await self._streamed(messages, tools, partial(send, number))
            if not message.tool_calls:
                return message.content or "", None
            call = message.tool_calls[0]
            try:
                if call.type != "function":
                    raise ValueError("call one of the function tools")
                arguments = json.loads(call.function.arguments or "{}")
                return message.content or "", check(call.function.name, arguments)
            except (ValueError, LookupError) as err:
                messages += [
                    message.model_dump(exclude_none=True),
                    {
                        "role": "tool",
                        "tool_call_id": call.id,
                        "content": f"Invalid call: {err}. Call again.",
                    },
                ]
        raise MalformedAnswer("tool call")

    async def _streamed(
        self,
        messages: list[Any],
        tools: list[ChatCompletionFunctionToolParam],
        write: Callable[[str], None],
    ) -> ParsedChatCompletionMessage[None]:
        """One completion, streamed: its words to `write` as they come, then the whole
        message (the client library puts the chunks' tool calls together)."""
        async with self._client.chat.completions.stream(
            model=self._model, messages=messages, temperature=0, tools=tools
        ) as stream:
            async for event in stream:
                if event.type == "content.delta" and event.delta:
                    write(event.delta)
            completion = await stream.get_final_completion()
        return completion.choices[0].message


class LLMBackend:
    """Every agent asks the model; the offline backend answers whenever it cannot."""

    def __init__(
        self, model: ChatModel, offline: OfflineBackend, deltas: DeltaPoster | None = None
    ) -> None:
        self._model = model
        self._offline = offline
        self._deltas = deltas
        self.liaisons = offline.liaisons
        self._labels = [*self.liaisons.labels, "clarify"]

    async def analyze(self, context: TurnContext) -> Analysis:
        """The guide's route, from the model's label."""
        try:
            answer = await self._model.answer(
                guide_prompt(self.liaisons),
                _describe(context),
                GuideAnswer,
                context={"labels": self._labels},
            )
        except (OpenAIError, MalformedAnswer) as err:
            _retry_or_fall_back(err)
            return await self._offline.analyze(context)
        rationale = (
            "llm: "
            + answer.rationale
            + "".join(f"; {key}: {value}" for key, value in extract(context).items())
        )
        return decide(
            answer.label, answer.confidence, context, rationale, answer.options, self.liaisons
        )

    async def recommend(self, request: LiaisonInput) -> Recommendation:
        """The pillar's intent and params, from the model's choice among its intents.

        A question about the data (as the offline liaison reads it: not a date column named
        for trends) gets SQL from the model.
        """
        context, pillar = request.context, request.pillar
        agent = liaison_name(pillar)
        if (
            pillar is Realm.INSIGHTS
            and not asking.over_a_date_column(context.text)
            and asking.answer_plan(context, agent, []) is not None
        ):
            return await self._query(request)
        catalog = self.liaisons.catalog
        entries = catalog.in_realm(pillar)
        first = (activity.info().attempt - 1) * TRIES
        try:
            async with reply(self._deltas, request.reply_to, agent) as send:
                text, intent = await self._model.call_tool(
                    LIAISON_PROMPT,
                    f"Pillar: {pillar.value}.\n" + _describe(context),
                    [tool(entry) for entry in entries],
                    lambda name, arguments: checked(
                        catalog, pillar, name, arguments, _ids(context)
                    ),
                    lambda call, text: send(first + call, text),
                )
        except (OpenAIError, MalformedAnswer) as err:
            _retry_or_fall_back(err)
            return await self._offline.recommend(request)
        if intent is None:
            return Recommendation(agent=agent, text=text or "What should I work on?")
        entry = catalog.entry(intent.name)
        return Recommendation(
            agent=agent,
            text=text or f"I'll {entry.name.replace('_', ' ')}: {entry.description}",
            intents=[intent],
        )

    async def _query(self, request: LiaisonInput) -> Recommendation:
        """SQL the model writes from the schemas; refused or failing SQL goes back once with
        the error (ChatModel's retry), then the offline liaison answers."""
        context = request.context
        try:
            answer = await self._model.answer(
                SQL_PROMPT, _describe_tables(context), SqlAnswer, context={"tables": context.tables}
            )
        except (OpenAIError, MalformedAnswer) as err:
            _retry_or_fall_back(err)
            return await self._offline.recommend(request)
        agent = liaison_name(request.pillar)
        if answer.sql is None:
            return Recommendation(agent=agent, text=answer.text)
        query = Query(shape="sql", sql=answer.sql, file_id=context.tables[0].file_id)
        return asking.ask(context, agent, query, ", ".join(t.name for t in context.tables))

    async def merge(self, request: CollaborationInput) -> Recommendation:
        """The router's comparison over the files the model chose, else the views combined."""
        context = request.context
        views = " | ".join(view.text for view in request.views)
        try:
            answer = await self._model.answer(
                ROUTER_PROMPT,
                f"{_describe(context)}\nLiaisons said: {views}",
                RouterAnswer,
                context={"file_ids": _ids(context)},
            )
        except (OpenAIError, MalformedAnswer) as err:
            _retry_or_fall_back(err)
            return await self._offline.merge(request)
        intents = collaboration.planned_ingests(request)
        if answer.compare:
            intents += plan(
                self.liaisons.catalog, COMPARE, _pick(context, answer.file_ids), context
            )
        return Recommendation(
            agent=collaboration.ROUTER,
            text=answer.text,
            next_steps=answer.next_steps,
            intents=intents,
        )


def tool(entry: CatalogEntry) -> ChatCompletionFunctionToolParam:
    """A catalog entry as the model's tool: its name, description and params' JSON schema."""
    return {
        "type": "function",
        "function": {
            "name": entry.name,
            "description": entry.description,
            "parameters": entry.schema(),
        },
    }


def checked(
    catalog: Catalog, pillar: Realm, name: str, arguments: dict[str, Any], known: set[str]
) -> Intent:
    """The model's call as an intent: one of the pillar's, on the session's files, with
    params its catalog entry accepts (the same validation REST requests get)."""
    entry = catalog.entry(name)
    if entry.realm is not pillar:
        raise LookupError(f"{name} is not one of the {pillar.value} intents")
    ids = arguments.get("file_ids") or ([arguments["file_id"]] if arguments.get("file_id") else [])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise LookupError(f"unknown file ids {unknown}; use ids of the session's files")
    intent = Intent(name=name, realm=entry.realm, params=arguments)
    try:
        catalog.validate(intent)
    except InvalidParams as err:
        raise ValueError(str(err)) from err
    return intent


def _retry_or_fall_back(err: Exception) -> None:
    """Transport faults raise while attempts remain (Temporal retries them); else offline."""
    if isinstance(err, OpenAIError) and not _last_attempt():
        raise err
    log.warning("llm backend fell back to offline: %s", type(err).__name__)


def _last_attempt() -> bool:
    info = activity.info()
    limit = info.retry_policy.maximum_attempts if info.retry_policy else 1
    return limit > 0 and info.attempt >= limit


def _files(context: TurnContext) -> dict[str, FileRef]:
    """The files the model may name, by id, once each (attached ones are session files too)."""
    return {ref.file_id: ref for ref in [*context.session_files, *context.attached]}


def _ids(context: TurnContext) -> set[str]:
    return set(_files(context))


def _pick(context: TurnContext, file_ids: list[str]) -> list[FileRef]:
    by_id = _files(context)
    return [by_id[i] for i in dict.fromkeys(file_ids)]


def _describe_tables(context: TurnContext) -> str:
    """The question, the tables (names, column types, a few values) and the last query's SQL."""
    last = asking.last_query(context)
    tables = [
        {
            "table": t.table,
            "file": t.name,
            "rows": t.rows,
            "columns": [
                {"name": c.name, "type": c.type, "values": c.values[:5]} for c in t.columns[:100]
            ],
        }
        for t in context.tables
    ]
    previous = last.sql if last and last.sql else None
    return json.dumps({"question": context.text, "tables": tables, "previous_sql": previous})


def _describe(context: TurnContext) -> str:
    """The turn as the model sees it: the message, the files (names and ids), the state."""
    files = [
        {"file_id": ref.file_id, "name": ref.name, "attached_now": ref in context.attached}
        for ref in _files(context).values()
    ]
    return json.dumps(
        {
            "message": context.text,
            "files": files,
            "options_offered_last_turn": context.pending_options,
            "helping_liaison": context.active_pillar.value if context.active_pillar else None,
        }
    )


def guide_prompt(liaisons: Liaisons) -> str:
    """The guide's instructions, its labels described by the liaison modules that own them."""
    described = ", ".join(
        f"{name} ({label.description})" for name, label in liaisons.labels.items()
    )
    labels = [*liaisons.labels, "clarify"]
    return f"""You are the Guide Agent of a data platform. Classify the user's message.
Labels: {described}, clarify (you cannot tell).
Answer JSON: {{"label": one of {labels}, "confidence": 0..1, "rationale": short,
"options": up to 3 likely labels when you answer clarify}}."""


LIAISON_PROMPT = """You are a domain liaison of a data platform. Call at most one of the
tools (your pillar's intents) for the user's request, on the session's files (use their
file_id values), and say in one or two sentences what happens. When something is missing,
call no tool and ask for it in one or two sentences."""

SQL_PROMPT = """You are the Insights liaison of a data platform. Write one DuckDB SELECT over
the given tables that answers the user's question (quote column names with double quotes;
only these tables; no other statements or table functions). If previous_sql is given and
the message refines it, change that query. If the tables cannot answer it, set sql to null
and ask the user a short clarifying question in text. Otherwise say in text what you compute.
Answer JSON: {"sql": "SELECT ..." or null, "text": "..."}."""

ROUTER_PROMPT = """You are the Collaboration Router of a data platform. Decide whether to
compare data quality across the session's files (at least two file_id values) and tell the
user in one or two sentences what happens, or what is missing.
Answer JSON: {"compare": true|false, "file_ids": [...], "text": "...", "next_steps": [...]}."""
