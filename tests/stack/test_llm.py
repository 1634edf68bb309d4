"""The LLM backend against a real OpenAI-compatible HTTP server with recorded answers."""

import asyncio
import dataclasses
import json
import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from openai import APIConnectionError, AsyncOpenAI
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment

import launcher
from activities.agents.activities import AgentActivities
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.llm import ChatModel, LLMBackend
from activities.catalog import default_catalog
from models.agents import CollaborationInput, LiaisonInput, Route, TurnContext
from models.files import FileRef
from models.intents import Realm
from tests.client import WAIT, Api, offsets, types
from tests.openai_stub import Stub, schema_name, serving, tool_call, tool_names, user_input

SALES = FileRef(file_id="a" * 32, name="sales.csv", size=1, sha256="0" * 64, content_type="")
ORDERS = FileRef(file_id="b" * 32, name="orders.csv", size=1, sha256="0" * 64, content_type="")


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    with serving() as running:
        yield running


@pytest.fixture
def fresh(stub: Stub) -> Stub:
    stub.requests.clear()
    return stub


def _backend(url: str) -> LLMBackend:
    client = AsyncOpenAI(base_url=url, api_key="unused", timeout=5, max_retries=0)
    return LLMBackend(ChatModel(client, "stub-model"), OfflineBackend(ClassifierAnalyzer()))


def _run(url: str, method: str, request: Any, attempt: int = 1) -> Any:
    """An agent activity as Temporal runs it, on the given attempt of three."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, attempt=attempt, retry_policy=RetryPolicy(maximum_attempts=3)
    )
    return asyncio.run(
        env.run(getattr(AgentActivities(_backend(url), default_catalog()), method), request)
    )


def _json(**fields: Any) -> str:
    return json.dumps(fields)


def test_the_models_label_routes_the_message(fresh: Stub) -> None:
    fresh.respond = lambda _: _json(label="insights", confidence=0.9, rationale="data question")
    analysis = _run(fresh.url, "analyze", TurnContext(text="what is in my data?"))
    assert (analysis.route, analysis.pillar) == (Route.LIAISON, Realm.INSIGHTS)
    assert analysis.rationale.startswith("llm: data question")
    [request] = fresh.requests
    assert request["response_format"]["type"] == "json_schema"


def test_a_malformed_answer_is_sent_back_once_with_its_errors(fresh: Stub) -> None:
    answers = iter(["not json", _json(label="journey", confidence=0.8, rationale="an SOP")])
    fresh.respond = lambda _: next(answers)
    analysis = _run(fresh.url, "analyze", TurnContext(text="my procedure"))
    assert analysis.pillar is Realm.JOURNEY
    assert len(fresh.requests) == 2
    assert "Invalid answer" in fresh.requests[1]["messages"][-1]["content"]


def test_two_bad_answers_fall_back_to_the_offline_analyzer(fresh: Stub) -> None:
    fresh.respond = lambda _: _json(label="dance", confidence=3, rationale="")
    analysis = _run(fresh.url, "analyze", TurnContext(text="Upload a file"))
    assert (analysis.route, analysis.pillar) == (Route.DIRECT, Realm.CONTENT)
    assert analysis.rationale.startswith("classified as upload")
    assert len(fresh.requests) == 2


def test_an_unreachable_endpoint_is_retried_then_falls_back() -> None:
    url = f"http://127.0.0.1:{launcher.free_port()}/v1"
    with pytest.raises(APIConnectionError):
        _run(url, "analyze", TurnContext(text="Upload a file"), attempt=1)
    analysis = _run(url, "analyze", TurnContext(text="Upload a file"), attempt=3)
    assert analysis.route is Route.DIRECT


def test_the_liaisons_tools_are_its_realms_catalog_entries(fresh: Stub) -> None:
    orders = {"file_ids": [ORDERS.file_id], "date_column": "order_date"}
    fresh.respond = lambda _: tool_call(
        "generate_insights", orders, "I'll look for trends in orders.csv."
    )
    context = TurnContext(text="trends by order_date in orders", session_files=[SALES, ORDERS])
    plan = _run(fresh.url, "recommend", LiaisonInput(pillar=Realm.INSIGHTS, context=context))
    [intent] = plan.intents
    assert (intent.name, intent.realm, intent.params) == (
        "generate_insights",
        Realm.INSIGHTS,
        orders,
    )
    assert plan.text == "I'll look for trends in orders.csv."
    [request] = fresh.requests
    entries = default_catalog().in_realm(Realm.INSIGHTS)
    assert tool_names(request) == [e.name for e in entries]
    assert [t["function"]["parameters"] for t in request["tools"]] == [e.schema() for e in entries]
    assert "response_format" not in request


def test_a_call_the_catalog_refuses_is_sent_back_once_with_its_errors(fresh: Stub) -> None:
    calls = iter(
        [
            tool_call("profile_data", {"file_ids": []}),
            tool_call("profile_data", {"file_ids": [SALES.file_id]}, "Profiling sales.csv."),
        ]
    )
    fresh.respond = lambda _: next(calls)
    context = TurnContext(text="profile my data", session_files=[SALES])
    plan = _run(fresh.url, "recommend", LiaisonInput(pillar=Realm.INSIGHTS, context=context))
    assert [i.params for i in plan.intents] == [{"file_ids": [SALES.file_id]}]
    sent_back = fresh.requests[1]["messages"][-1]
    assert sent_back["role"] == "tool"
    assert "invalid params for profile_data" in sent_back["content"]


def test_no_tool_call_is_the_liaison_asking(fresh: Stub) -> None:
    fresh.respond = lambda _: "Which file should I profile, sales.csv or orders.csv?"
    context = TurnContext(text="profile one of them", session_files=[SALES, ORDERS])
    plan = _run(fresh.url, "recommend", LiaisonInput(pillar=Realm.INSIGHTS, context=context))
    assert (plan.intents, plan.text) == (
        [],
        "Which file should I profile, sales.csv or orders.csv?",
    )


@pytest.mark.parametrize(
    "call",
    [
        tool_call("rm_rf", {}),
        tool_call("create_workflow_from_sop", {"text": "1. a"}),
        tool_call("profile_data", {"file_ids": ["nope"]}),
    ],
    ids=["unknown", "another pillar's", "not the session's file"],
)
def test_a_call_outside_the_pillar_or_the_session_falls_back_to_the_rules(
    fresh: Stub, call: dict[str, Any]
) -> None:
    fresh.respond = lambda _: call
    context = TurnContext(text="profile my data", session_files=[SALES])
    plan = _run(fresh.url, "recommend", LiaisonInput(pillar=Realm.INSIGHTS, context=context))
    assert [i.name for i in plan.intents] == ["profile_data"]
    assert "Invalid call" in fresh.requests[1]["messages"][-1]["content"]
    assert len(fresh.requests) == 2


def test_the_router_compares_the_files_the_model_chose(fresh: Stub) -> None:
    fresh.respond = lambda body: _json(
        compare=True,
        file_ids=[f["file_id"] for f in user_input(body)["files"]],
        text="Comparing both.",
    )
    context = TurnContext(text="compare them", session_files=[SALES, ORDERS])
    plan = _run(fresh.url, "merge", CollaborationInput(context=context, views=[]))
    [intent] = plan.intents
    assert intent.params == {"file_ids": [SALES.file_id, ORDERS.file_id]}
    assert schema_name(fresh.requests[0]) == "RouterAnswer"


@pytest.fixture(scope="module")
def llm_api(stack: launcher.Stack, stub: Stub) -> Iterator[Api]:
    """A worker and an API with the LLM backend, on their own task queue, same server."""
    llm = launcher.Stack(
        data_dir=stack.data_dir,
        temporal_port=stack.temporal_port,
        ui_port=None,
        task_queue=f"llm-{uuid.uuid4().hex}",
        log_dir=stack.log_dir,
        extra_env={
            **stack.extra_env,
            "SYMPHAINY_ANALYZER": "llm",
            "SYMPHAINY_LLM_BASE_URL": stub.url,
        },
    )
    try:
        launcher.start_worker(llm, "llm-worker")
        launcher.start_api(llm, launcher.free_port(), "llm-api")
        launcher.wait_ready(llm.api_url())
        yield Api(llm.api_url())
    finally:
        launcher.stop(llm)


def _answer(body: dict[str, Any]) -> str | dict[str, Any]:
    """Recorded answers for a whole turn: the guide says insights, the liaison profiles."""
    if "tools" not in body and schema_name(body) == "GuideAnswer":
        return _json(label="insights", confidence=0.92, rationale="asks about the data")
    ids = [f["file_id"] for f in user_input(body)["files"]]
    return tool_call("profile_data", {"file_ids": ids}, "Profiling your file now.")


def test_a_turn_with_the_llm_backend_end_to_end(llm_api: Api, stub: Stub) -> None:
    stub.respond = _answer
    ref = llm_api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with llm_api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"]])
        events = conn.turn("tell me about it")
    analysis = next(e for e in events if e["type"] == "agent.analysis")
    assert analysis["rationale"].startswith("llm: asks about the data")
    said = [e["text"] for e in events if e["type"] == "agent.message"]
    assert "Profiling your file now." in said
    created = next(e for e in events if e["type"] == "intent.created")
    assert created["intent"]["params"] == {"file_ids": [ref["file_id"]]}
    assert events[-1]["status"] == "completed"


def test_garbage_from_the_model_never_breaks_a_turn(llm_api: Api, stub: Stub) -> None:
    stub.respond = lambda _: "<html>502</html>"
    with llm_api.socket() as conn:
        events = conn.turn("Upload a file")
    analysis = next(e for e in events if e["type"] == "agent.analysis")
    assert analysis["rationale"].startswith("classified as upload")
    assert events[-1]["status"] == "needs_input"


def test_the_message_is_accepted_while_the_model_is_still_thinking(
    llm_api: Api, stub: Stub
) -> None:
    """`message.accepted` says the message is recorded, which does not wait for agents:
    with the model holding its answer, the socket already has it, and nothing else. How
    soon it comes is a benchmark figure (bench.load: `message.accepted` against a no-op
    Update), not a bound here."""
    answering = threading.Event()

    def held(body: dict[str, Any]) -> str | dict[str, Any]:
        answering.wait(timeout=WAIT)
        return _answer(body)

    stub.respond = held
    try:
        with llm_api.socket() as conn:
            message_id = conn.message("what is in my data?")
            accepted = conn.until(lambda e: e["type"] == "message.accepted")
            assert accepted["message_id"] == message_id
            assert [e["type"] for e in conn.events] == ["message.accepted"]
            answering.set()
            conn.until(lambda e: e["type"] == "turn.completed")
    finally:
        answering.set()
    assert offsets(conn.events) == list(range(1, len(conn.events) + 1))
    assert types(conn.events)[:2] == ["message.accepted", "agent.analysis"]


@pytest.mark.skipif(
    not os.environ.get("SYMPHAINY_TEST_LLM_BASE_URL"),
    reason="set SYMPHAINY_TEST_LLM_BASE_URL (and _MODEL, _API_KEY) to test a real endpoint",
)
def test_a_real_endpoint_routes_the_matrix() -> None:
    client = AsyncOpenAI(
        base_url=os.environ["SYMPHAINY_TEST_LLM_BASE_URL"],
        api_key=os.environ.get("SYMPHAINY_TEST_LLM_API_KEY", "unused"),
        timeout=60,
    )
    model = ChatModel(client, os.environ.get("SYMPHAINY_TEST_LLM_MODEL", "gpt-4o-mini"))
    backend = LLMBackend(model, OfflineBackend(ClassifierAnalyzer()))
    env = ActivityEnvironment()
    analysis = asyncio.run(
        env.run(
            AgentActivities(backend, default_catalog()).analyze, TurnContext(text="Upload a file")
        )
    )
    assert analysis.route is Route.DIRECT
