"""The LLM backend writes query_data's SQL: recorded answers from a real HTTP server."""

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

import palmerpenguins
import pytest
from openai import AsyncOpenAI
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment

from activities.agents.activities import AgentActivities
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.llm import ChatModel, LLMBackend
from activities.catalog import default_catalog
from activities.catalog.query import QueryDataParams
from activities.realms.query import QueryLimits, TableSchemas, query_data
from models.agents import LiaisonInput, Recommendation, TurnContext
from models.files import FileRef
from models.intents import Realm
from tests.openai_stub import Stub, schema_name, tool_call
from tests.realm_files import Files

PENGUINS = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
GOOD = 'SELECT "island", count(*) AS penguins FROM penguins GROUP BY 1 ORDER BY 1'


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _recommend(stub: Stub, files: Files, ref: FileRef, text: str) -> Recommendation:
    client = AsyncOpenAI(base_url=stub.url, api_key="unused", timeout=5, max_retries=0)
    backend = LLMBackend(ChatModel(client, "stub"), OfflineBackend(ClassifierAnalyzer()))
    agents = AgentActivities(backend, default_catalog(), TableSchemas(files.store))
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, attempt=3, retry_policy=RetryPolicy(maximum_attempts=3)
    )
    context = TurnContext(text=text, session_files=[ref])
    request = LiaisonInput(pillar=Realm.INSIGHTS, context=context)
    plan: Recommendation = asyncio.run(env.run(agents.recommend, request))
    return plan


def _answers(*sql: str | None) -> Any:
    replies = iter(sql)

    def respond(body: dict[str, Any]) -> str:
        assert schema_name(body) == "SqlAnswer"
        return json.dumps({"sql": next(replies), "text": "Counting penguins per island."})

    return respond


def test_the_models_sql_runs_after_the_whitelist(stub: Stub, files: Files) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    stub.requests.clear()
    stub.respond = _answers(GOOD)
    plan = _recommend(stub, files, ref, "how many penguins live on each island?")
    [intent] = plan.intents
    assert intent.name == "query_data"
    assert intent.params["query"]["shape"] == "sql"
    prompt = stub.requests[0]["messages"][1]["content"]
    assert "body_mass_g" in prompt and "Adelie" in prompt
    result = query_data(QueryLimits(), files.ctx, QueryDataParams.model_validate(intent.params))
    assert result.rows == [["Biscoe", 168], ["Dream", 124], ["Torgersen", 52]]
    assert result.answer == "penguins by island: Biscoe 168, Dream 124, Torgersen 52."


def test_refused_sql_goes_back_once_with_the_error(stub: Stub, files: Files) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    stub.requests.clear()
    stub.respond = _answers("SELECT * FROM read_csv('/etc/passwd')", GOOD)
    plan = _recommend(stub, files, ref, "how many penguins live on each island?")
    assert plan.intents[0].params["query"]["sql"].startswith('SELECT "island"')
    assert len(stub.requests) == 2
    assert "table functions" in stub.requests[1]["messages"][-1]["content"]


def test_failing_sql_twice_falls_back_to_the_offline_reading(stub: Stub, files: Files) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    stub.requests.clear()
    stub.respond = _answers("SELECT wingspan FROM penguins", "DROP TABLE penguins")
    plan = _recommend(stub, files, ref, "how many penguins live on each island?")
    assert len(stub.requests) == 2
    assert "wingspan" in stub.requests[1]["messages"][-1]["content"]
    [intent] = plan.intents
    assert intent.params["query"] == {
        "shape": "aggregate",
        "group_by": ["island"],
        "file_id": ref.file_id,
    }


ORDERS = b"order_date,amount\n2024-01-05,10\n2024-02-07,12\n2024-03-09,15\n2024-04-11,11\n"


@pytest.mark.parametrize(
    ("text", "asks_sql"),
    [("by order_date", False), ("what is the total amount by order_date?", True)],
    ids=["date column for trends", "a number over it"],
)
def test_a_date_column_named_for_trends_is_a_tool_call_not_sql(
    stub: Stub, files: Files, text: str, asks_sql: bool
) -> None:
    """As the offline liaison reads it: a date column with no number asked for means
    trends over it (the model's tools), a total over it is a question (SQL)."""
    ref = files.add("orders.csv", ORDERS)
    stub.requests.clear()
    stub.respond = lambda body: (
        json.dumps({"sql": 'SELECT sum("amount") FROM orders', "text": "Summing."})
        if "tools" not in body and schema_name(body) == "SqlAnswer"
        else tool_call(
            "generate_insights", {"file_ids": [ref.file_id], "date_column": "order_date"}
        )
    )
    plan = _recommend(stub, files, ref, text)
    [intent] = plan.intents
    assert ("tools" not in stub.requests[0]) is asks_sql
    assert intent.name == ("query_data" if asks_sql else "generate_insights")
