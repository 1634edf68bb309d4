"""The Insights liaison's reading of a question about the data: query_data, or a question back.

The question is read against the schemas of the files in scope (`activities.questions`):
a question that fits becomes a `query_data` intent carrying its structured query, so the
Runtime runs exactly what was understood; a follow-up ("now by month", "only 2015",
"top 5 instead", "as a chart") refines the query of the session's last query_data, which
the session keeps in its last execution; a name that fits several columns, or a question
no shape answers, gets a clarifying reply and nothing runs.
"""

import re
from typing import Protocol

from activities import questions
from activities.agents.slots import date_column, refines
from models.agents import Recommendation, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm
from models.query import Query, TableSchema

QUERY_INTENT = "query_data"
FOLLOW_UPS = ["Now by month", "Only 2015", "Top 5 instead", "As a chart"]
ASKS = re.compile(
    r"\b(how (many|much)|what (is|was|are|were)|what's|which|average|avg|mean|median|total|"
    r"sum|count|number of|minimum|maximum|min|max|highest|lowest|most|least|top \d+|"
    r"bottom \d+|correlat\w*|relationship|distribution|histogram|distinct|unique|"
    r"breakdown|per|by)\b|\?\s*$"
)
STRONG = re.compile(
    r"\b(how (many|much)|average|avg|mean|median|total|sum of|number of|minimum|maximum|"
    r"highest|lowest|top \d+|bottom \d+|distinct|distribution)\b"
)
FINDINGS = re.compile(r"\b(insights?|trends?|patterns?|findings?|profile|quality)\b")


class SchemaSource(Protocol):
    """Where the liaison gets the schemas of files (the worker reads them as query_data does)."""

    def schemas(self, refs: list[FileRef]) -> list[TableSchema]: ...


def last_query(context: TurnContext) -> Query | None:
    """The structured query of the session's last query_data, if it was the last execution."""
    last = context.last_execution
    if last is None or last.intent.name != QUERY_INTENT or "query" not in last.intent.params:
        return None
    return Query.model_validate(last.intent.params["query"])


def wants_tables(context: TurnContext) -> bool:
    """Whether the liaison needs the files' schemas: a question, a follow-up to one, or a
    date column to check against the files' columns."""
    text = context.text.lower()
    named_column = date_column(context.text) is not None
    return bool(ASKS.search(text)) or last_query(context) is not None or named_column


def over_a_date_column(text: str) -> bool:
    """A date column named with no number asked for ("by order_date", "use the date
    column"): trends over it, not a question, whichever backend reads the message."""
    return date_column(text) is not None and not STRONG.search(text.lower())


def answer_plan(context: TurnContext, agent: str, files: list[FileRef]) -> Recommendation | None:
    """query_data for a question the files can answer, a question back, or None (not one)."""
    if not context.tables:
        return None
    last = last_query(context)
    parsed = questions.parse(context.text, context.tables, last)
    if isinstance(parsed, questions.Clarify):
        if not _clarify_here(context, parsed):
            return None
        return Recommendation(agent=agent, text=parsed.text, next_steps=parsed.options[:5])
    schema = next(s for s in context.tables if s.file_id == parsed.file_id)
    return ask(context, agent, parsed.model_copy(update={"file_id": schema.file_id}), schema.name)


def ask(context: TurnContext, agent: str, query: Query, source: str) -> Recommendation:
    """The query_data intent for a structured query (or a model's SQL) over the files in scope."""
    ids = [query.file_id] if query.shape != "sql" else [t.file_id for t in context.tables]
    return Recommendation(
        agent=agent,
        text=f"I'll answer that from {source}.",
        next_steps=FOLLOW_UPS,
        intents=[
            Intent(
                name=QUERY_INTENT,
                realm=Realm.INSIGHTS,
                params={
                    "file_ids": [i for i in ids if i],
                    "question": context.text,
                    "query": query.model_dump(mode="json", exclude_defaults=True),
                },
            )
        ],
    )


def _clarify_here(context: TurnContext, clarify: questions.Clarify) -> bool:
    """Ask back only about real questions: a column named, a number asked for, or a
    follow-up to the last question that cannot change it ("only 2024" with no date)."""
    text = context.text.lower()
    if FINDINGS.search(text) and not STRONG.search(text):
        return False
    return (
        bool(clarify.options)
        or bool(STRONG.search(text))
        or (questions.names_anything(context.text, context.tables))
        or (last_query(context) is not None and refines(context.text))
    )
