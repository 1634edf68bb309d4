"""The LLM backend against a real OpenAI-compatible HTTP server with recorded answers."""

import asyncio
import dataclasses
import json
import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
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
from models.agents import DELTA_PATH, CollaborationInput, LiaisonInput, Route, TurnContext
from models.files import FileRef
from models.intents import Realm
from tests.client import WAIT, Api, Conn, Event, offsets, types
from tests.openai_stub import Stub, schema_name, tool_call, tool_names, user_input
from tests.stack.test_auth import SECRET, UserApi, token

TOKEN_MODE = {"SYMPHAINY_AUTH_MODE": "token", "SYMPHAINY_JWT_SECRET": SECRET}
SALES = FileRef(file_id="a" * 32, name="sales.csv", size=1, sha256="0" * 64, content_type="")
ORDERS = FileRef(file_id="b" * 32, name="orders.csv", size=1, sha256="0" * 64, content_type="")


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
def llm_stack(stack: launcher.Stack, stub: Stub) -> Iterator[launcher.Stack]:
    """A worker and two APIs with the LLM backend, on their own task queue, same server:
    the local default and one in token mode (two users); the worker posts agent deltas
    to both, with the stack's own secret."""
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
        port, token_port = llm.plan_apis(2)
        launcher.start_worker(llm, "llm-worker")
        launcher.start_api(llm, port, "llm-api")
        launcher.start_api(llm, token_port, "llm-token-api", TOKEN_MODE)
        launcher.wait_ready(llm.api_url())
        launcher.wait_ready(llm.api_url(1))
        yield llm
    finally:
        launcher.stop(llm)


@pytest.fixture
def llm_api(llm_stack: launcher.Stack) -> Api:
    return Api(llm_stack.api_url())


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


def _deltas(conn: Conn) -> list[Event]:
    return [f for f in conn.frames if f["type"] == "agent.delta"]


def _reply(conn: Conn, turn_id: str) -> tuple[list[Event], Event]:
    """The turn's deltas and the durable message they built (the streaming agent's first),
    checked to come after every delta."""
    deltas = _deltas(conn)
    assert deltas, "no agent.delta reached the socket"
    message = next(
        f
        for f in conn.frames
        if f["type"] == "agent.message"
        and f["turn_id"] == turn_id
        and f["agent"] == deltas[0]["agent"]
    )
    assert conn.frames.index(message) > max(conn.frames.index(d) for d in deltas)
    assert {(d["turn_id"], d["session_id"]) for d in deltas} == {
        (turn_id, conn.ready["session_id"])
    }
    assert all("offset" not in d for d in deltas)
    return deltas, message


def test_a_liaisons_words_stream_while_the_model_writes_them(
    llm_stack: launcher.Stack, stub: Stub
) -> None:
    """With the model held after two words, those two are on the socket already; the
    rest follow, then the durable agent.message whose text they make; a reconnect
    replays the message and no delta."""
    api = Api(llm_stack.api_url())
    stub.respond = _answer
    stub.hold_after = 2
    stub.release.clear()
    ref = api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    try:
        with api.socket() as conn:
            message_id = conn.message("tell me about it", [ref["file_id"]])
            conn.until(lambda f: "".join(d["delta"] for d in _deltas(conn)) == "Profiling your ")
            stub.release.set()
            turn_id = next(e["turn_id"] for e in conn.events if e.get("message_id") == message_id)
            conn.until(lambda f: f["type"] == "turn.completed" and f["turn_id"] == turn_id)
    finally:
        stub.hold_after = None
        stub.release.set()
    deltas, message = _reply(conn, turn_id)
    assert [d["attempt"] for d in deltas] == [1] * len(deltas)
    assert "".join(d["delta"] for d in deltas) == message["text"] == "Profiling your file now."
    session_id = conn.ready["session_id"]
    with api.socket(session_id=session_id, after=0) as again:
        again.until(lambda f: f["type"] == "turn.completed" and f["turn_id"] == turn_id)
    assert "agent.delta" not in types(again.frames)
    assert message in again.events


def test_a_call_sent_back_streams_as_the_next_attempt(llm_api: Api, stub: Stub) -> None:
    """The refused call's words are attempt 1, the second call's attempt 2: a client
    keeps the highest attempt's text, and that is the durable message's."""
    refused = iter([tool_call("profile_data", {"file_ids": []}, "Let me see.")])

    def answer(body: dict[str, Any]) -> str | dict[str, Any]:
        first = next(refused, None) if "tools" in body else None
        return first if first is not None else _answer(body)

    stub.respond = answer
    ref = llm_api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with llm_api.socket() as conn:
        events = conn.turn("tell me about it", [ref["file_id"]])
    deltas, message = _reply(conn, events[0]["turn_id"])
    by_attempt = {
        attempt: "".join(d["delta"] for d in deltas if d["attempt"] == attempt)
        for attempt in sorted({d["attempt"] for d in deltas})
    }
    assert by_attempt == {1: "Let me see.", 2: "Profiling your file now."}
    assert [d["attempt"] for d in deltas] == sorted(d["attempt"] for d in deltas)
    assert message["text"] == by_attempt[2]


def _post(api: Api, delta: Event, secret: str | None) -> httpx.Response:
    headers = {} if secret is None else {"Authorization": f"Bearer {secret}"}
    return api.http.post(DELTA_PATH, json=delta, headers=headers)


def _clarify(body: dict[str, Any]) -> str:
    return _json(label="clarify", confidence=0.2, rationale="cannot tell")


def test_a_delta_without_the_secret_is_refused_and_reaches_no_socket(
    llm_stack: launcher.Stack, stub: Stub
) -> None:
    """Refused posts (no secret, a wrong one, the secret not as a bearer token, a bad
    body without the secret) come before a good one: the socket's first delta is the good."""
    api = Api(llm_stack.api_url())
    stub.respond = _clarify
    with api.socket() as conn:
        turn_id = conn.turn("hmm")[0]["turn_id"]
        delta = {
            "session_id": conn.ready["session_id"],
            "turn_id": turn_id,
            "agent": "insights_liaison",
            "attempt": 1,
            "text": "forged",
        }
        secret = llm_stack.delta_secret
        for forged in (None, "x" * 43, secret[:-1], secret + "x"):
            assert _post(api, delta, forged).status_code == 401
        bare = api.http.post(DELTA_PATH, json=delta, headers={"Authorization": secret})
        assert bare.status_code == 401
        assert _post(api, {"text": ""}, None).status_code == 401
        assert _post(api, {**delta, "text": "real"}, secret).json() == {"delivered": 1}
        assert conn.until(lambda f: f["type"] == "agent.delta")["delta"] == "real"
    assert [d["delta"] for d in _deltas(conn)] == ["real"]


def test_deltas_reach_only_the_sockets_of_their_session(
    llm_stack: launcher.Stack, stub: Stub
) -> None:
    """A socket of another session sees none of a streamed reply: the first delta it
    gets is one posted to its own session afterwards."""
    api = Api(llm_stack.api_url())
    stub.respond = lambda body: (
        _answer(body) if user_input(body)["message"] == "tell me about it" else _clarify(body)
    )
    ref = api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with api.socket() as other, api.socket() as conn:
        turn_id = other.turn("hmm")[0]["turn_id"]
        events = conn.turn("tell me about it", [ref["file_id"]])
        _reply(conn, events[0]["turn_id"])
        mine = {
            "session_id": other.ready["session_id"],
            "turn_id": turn_id,
            "agent": "guide",
            "attempt": 1,
            "text": "yours",
        }
        assert _post(api, mine, llm_stack.delta_secret).json() == {"delivered": 1}
        assert other.until(lambda f: f["type"] == "agent.delta")["delta"] == "yours"
    assert [d["delta"] for d in _deltas(other)] == ["yours"]


def test_a_streamed_reply_never_reaches_another_user(llm_stack: launcher.Stack, stub: Stub) -> None:
    """Two users of the token-mode API: ann's reply streams to ann's socket, and bob,
    following a session of his own on the same API the worker posts to, gets none of it."""
    stub.respond = lambda body: (
        _answer(body) if user_input(body)["message"] == "tell me about it" else _clarify(body)
    )
    ann = UserApi(llm_stack.api_url(1), token("ann"))
    bob = UserApi(llm_stack.api_url(1), token("bob"))
    ref = ann.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with bob.conn() as bobs, ann.conn() as anns:
        theirs, mine = Conn(bobs), Conn(anns)
        theirs.turn("hmm")
        events = mine.turn("tell me about it", [ref["file_id"]])
        _reply(mine, events[0]["turn_id"])
        theirs.send({"type": "ping"})
        theirs.until(lambda f: f["type"] == "pong")
    assert _deltas(theirs) == []


def test_the_offline_backend_streams_nothing(api: Api) -> None:
    ref = api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with api.socket() as conn:
        events = conn.turn("profile sales.csv", [ref["file_id"]])
    assert "agent.message" in types(events)
    assert "agent.delta" not in types(conn.frames)


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
