"""Unit tests of agent deltas: the worker's poster, the socket's lossy outbox slot, the
hub's hand-off to one session's sockets, the frame, and the shared secret's rule."""

import asyncio
import json
import logging
import socket
from datetime import timedelta
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from temporalio.client import Client

from activities.agents.deltas import DeltaPoster, Resolve, addresses, reply
from api.hub import StreamHub
from api.outbox import Close, Outbox
from api.routes import deltas as deltas_route
from api.wire import delta_frame
from models.agents import DELTA_PATH, AgentDelta, ReplyTo
from settings import Settings
from worker import deltas_for

SECRET = "s" * 43
TO = ReplyTo(session_id="a" * 32, turn_id="t1")


def _poster(handler: httpx.AsyncBaseTransport, urls: list[str] | None = None) -> DeltaPoster:
    client = httpx.AsyncClient(transport=handler)
    return DeltaPoster(urls or ["http://api:8000/"], SECRET, client)


def test_pieces_go_in_order_one_post_per_attempt_with_the_secret() -> None:
    """Pieces queued while nothing was posted yet leave as one post per attempt."""
    posted: list[httpx.Request] = []

    def take(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return httpx.Response(200, json={"delivered": 1})

    async def run() -> None:
        async with _poster(httpx.MockTransport(take)).stream(TO, "insights_liaison") as send:
            for attempt, text in [(1, "Let "), (1, "me"), (2, "Profiling "), (2, "now.")]:
                send(attempt, text)

    asyncio.run(run())
    assert [str(r.url) for r in posted] == [f"http://api:8000{DELTA_PATH}"] * 2
    assert {r.headers["authorization"] for r in posted} == {f"Bearer {SECRET}"}
    bodies = [json.loads(r.content) for r in posted]
    assert [(b["attempt"], b["text"]) for b in bodies] == [(1, "Let me"), (2, "Profiling now.")]
    assert {(b["session_id"], b["turn_id"], b["agent"]) for b in bodies} == {
        ("a" * 32, "t1", "insights_liaison")
    }


def _posted_to(resolve: Resolve, *, each_address: bool = True) -> list[str]:
    """Where one piece of a reply went, with `resolve` as the resolver."""
    posted: list[str] = []

    def take(request: httpx.Request) -> httpx.Response:
        posted.append(str(request.url))
        return httpx.Response(200, json={"delivered": 0})

    async def run() -> None:
        client = httpx.AsyncClient(transport=httpx.MockTransport(take))
        poster = DeltaPoster(
            ["http://api:8000/", "http://127.0.0.1:9000"],
            SECRET,
            client,
            each_address=each_address,
            resolve=resolve,
        )
        async with poster.stream(TO, "guide") as send:
            send(1, "a")

    asyncio.run(run())
    return sorted(posted)


def test_each_address_posts_to_every_replica_behind_a_service_name() -> None:
    replicas = {"api": ["10.0.0.7", "10.0.0.8", "fd00::9"], "127.0.0.1": ["127.0.0.1"]}

    async def resolve(host: str) -> list[str]:
        return replicas[host]

    assert _posted_to(resolve) == [
        f"http://10.0.0.7:8000{DELTA_PATH}",
        f"http://10.0.0.8:8000{DELTA_PATH}",
        f"http://127.0.0.1:9000{DELTA_PATH}",
        f"http://[fd00::9]:8000{DELTA_PATH}",
    ]
    assert _posted_to(resolve, each_address=False) == [
        f"http://127.0.0.1:9000{DELTA_PATH}",
        f"http://api:8000{DELTA_PATH}",
    ]


def test_a_host_that_does_not_resolve_is_posted_to_as_named() -> None:
    async def unknown(host: str) -> list[str]:
        raise socket.gaierror(f"unknown host {host}")

    assert _posted_to(unknown) == [
        f"http://127.0.0.1:9000{DELTA_PATH}",
        f"http://api:8000{DELTA_PATH}",
    ]


def test_the_real_resolver_gives_each_address_once() -> None:
    assert asyncio.run(addresses("127.0.0.1")) == ["127.0.0.1"]


def test_a_failed_post_never_fails_the_reply_and_is_logged_once_without_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def run() -> None:
        async with _poster(httpx.MockTransport(refuse)).stream(TO, "guide") as send:
            send(1, "a")
            await asyncio.sleep(0)
            send(1, "b")

    with caplog.at_level(logging.WARNING, logger="activities.agents.deltas"):
        asyncio.run(run())
    [record] = caplog.records
    assert record.getMessage() == "agent deltas not delivered: ConnectError"
    assert SECRET not in caplog.text


def test_an_api_that_does_not_answer_holds_the_reply_only_for_the_flush() -> None:
    """The reply ends although the post never returns (cancelled after `FLUSH`)."""
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await never.wait()
        return httpx.Response(200)

    async def run() -> None:
        async with _poster(httpx.MockTransport(hang)).stream(TO, "guide") as send:
            send(1, "a")

    asyncio.run(asyncio.wait_for(run(), 30))


def test_no_poster_or_no_reply_target_sends_nowhere() -> None:
    async def run() -> None:
        poster = _poster(httpx.MockTransport(lambda r: pytest.fail("posted")))
        for context in (reply(None, TO, "guide"), reply(poster, None, "guide")):
            async with context as send:
                send(1, "dropped")

    asyncio.run(run())


def test_the_outbox_drops_an_offered_frame_past_its_limit_and_never_closes_for_it() -> None:
    outbox = Outbox(2, asyncio.Event())
    for text in ("a", "b", "c"):
        outbox.offer(text)
    assert [outbox.take(), outbox.take(), outbox.take()] == ["a", "b", None]
    outbox.close(1000, "bye")
    outbox.offer("late")
    assert outbox.take() == Close(1000, "bye")


def test_the_hub_hands_a_transient_frame_to_its_sessions_sockets_only() -> None:
    async def run() -> None:
        hub = StreamHub(
            cast(Client, None), linger=timedelta(seconds=60), memory=5, link=lambda e: e
        )
        hub._follow = _idle  # type: ignore[method-assign]
        got: dict[str, list[str]] = {"ann": [], "ann2": [], "bob": []}
        ann, ann2, bob = asyncio.Event(), asyncio.Event(), asyncio.Event()
        feed = hub.join("s1", "ann", 0, ann, got["ann"].append)
        hub.join("s1", "ann", 0, ann2, got["ann2"].append)
        hub.join("s2", "bob", 0, bob, got["bob"].append)
        assert hub.transient("s1", "x") == 2
        hub.leave(feed, ann2)
        assert hub.transient("s1", "y") == 1
        assert hub.transient("s3", "z") == 0
        assert got == {"ann": ["x", "y"], "ann2": ["x"], "bob": []}
        await hub.close()

    asyncio.run(run())


async def _idle(feed: object) -> None:
    await asyncio.Event().wait()


def test_a_delta_frame_has_no_offset_and_names_its_turn_and_attempt() -> None:
    delta = AgentDelta(**TO.model_dump(), agent="insights_liaison", attempt=3, text="Hi")
    assert json.loads(delta_frame(delta)) == {
        "type": "agent.delta",
        "session_id": "a" * 32,
        "turn_id": "t1",
        "agent": "insights_liaison",
        "attempt": 3,
        "delta": "Hi",
    }


@pytest.mark.parametrize(("length", "valid"), [(31, False), (32, True)])
def test_the_delta_secret_has_at_least_32_characters(length: int, valid: bool) -> None:
    if valid:
        Settings(delta_secret="k" * length)
    else:
        with pytest.raises(ValidationError, match="delta_secret"):
            Settings(delta_secret="k" * length)


def _refusal(settings: Settings, headers: dict[str, str], body: object) -> int:
    """The endpoint's answer before any hub is reached (the app has none)."""
    app = FastAPI()
    app.include_router(deltas_route.router)
    app.state.settings = settings
    with TestClient(app) as client:
        return client.post(DELTA_PATH, json=body, headers=headers).status_code


def test_the_endpoint_refuses_every_delta_without_a_configured_secret_or_the_right_one() -> None:
    good = AgentDelta(**TO.model_dump(), agent="guide", attempt=1, text="x").model_dump()
    configured = Settings(delta_secret=SECRET)
    bearer = {"Authorization": f"Bearer {SECRET}"}
    assert _refusal(Settings(), bearer, good) == 403
    assert _refusal(Settings(delta_secret=""), {"Authorization": "Bearer "}, good) == 403
    assert _refusal(configured, {}, good) == 401
    assert _refusal(configured, {"Authorization": f"Bearer {SECRET[:-1]}"}, good) == 401
    assert _refusal(configured, {}, {"text": ""}) == 401
    assert _refusal(configured, bearer, {"text": ""}) == 422


def test_an_empty_delta_secret_is_none_and_turns_deltas_off() -> None:
    """A compose file's `${SYMPHAINY_DELTA_SECRET:-}` with the variable unset."""
    settings = Settings(delta_secret="", delta_urls=["http://api:8000"])
    assert settings.delta_secret is None
    assert deltas_for(settings) is None
