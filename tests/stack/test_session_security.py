"""Sessions belong to one user, identities cannot collide, tokens stay out of the logs.

Its own stack in token mode with a JWKS (RS256) and the API logging at DEBUG, so the
last test can search every log line the other tests caused for every token they used.
"""

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from temporalio.client import Client, WorkflowExecutionStatus
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

import launcher
from tests.client import WAIT, Conn, Event, extra_api
from tests.stack.test_auth import UserApi
from tests.unit.test_auth_keys import hs256_signed_with, public_pem

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
USED: list[str] = []
"""Every credential this module sent: none may appear in any log."""


def token(sub: object, *, ttl: float = 600, tenant: str | None = None, key: object = KEY) -> str:
    claims: dict[str, object] = {"sub": sub, "exp": int(time.time() + ttl)}
    if tenant is not None:
        claims["tenant"] = tenant
    made = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})  # type: ignore[arg-type]
    USED.append(made)
    return made


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    root = tmp_path_factory.mktemp("session-security")
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    (root / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    env = {
        "SYMPHAINY_AUTH_MODE": "token",
        "SYMPHAINY_JWKS_FILE": str(root / "jwks.json"),
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
    }
    logs = root / "logs"
    logs.mkdir()
    with launcher.running(root / "data", log_dir=logs, env=env, api_log_level="debug") as stack:
        yield stack


def _user(stack: launcher.Stack, sub: str, tenant: str | None = None) -> UserApi:
    return UserApi(stack.api_url(), token(sub, tenant=tenant))


def _refused(ws_url: str) -> tuple[int, str]:
    """The close code and reason of a socket the server closes before any event."""
    with connect(ws_url, open_timeout=WAIT) as ws, pytest.raises(ConnectionClosed) as e:
        while True:
            frame = json.loads(ws.recv(timeout=WAIT))
            assert "offset" not in frame, f"a refused socket got a stream event: {frame}"
    assert e.value.rcvd is not None
    return e.value.rcvd.code, e.value.rcvd.reason


def _first_turn(conn: Conn, message_id: str) -> str:
    """'owner' when the message became the session's turn, 'refused' when it was refused."""
    try:
        conn.until(lambda e: e["type"] == "turn.completed")
    except ConnectionClosed as err:
        assert err.rcvd is not None
        assert (err.rcvd.code, err.rcvd.reason) == (1008, "session belongs to another user")
        assert conn.events == [], "the refused user saw the other user's stream"
        return "refused"
    accepted = [e["message_id"] for e in conn.events if e["type"] == "message.accepted"]
    assert accepted == [message_id]
    return "owner"


@pytest.mark.parametrize("ann_first", [True, False])
@pytest.mark.parametrize("at_once", [True, False])
def test_two_users_naming_one_new_session_id_get_one_owner(
    secure: launcher.Stack, ann_first: bool, at_once: bool
) -> None:
    """Both name the same unused id, then both send a first message with a file, at once
    or one after the other: one session, one owner; the other user is refused (1008),
    sees nothing of it, and their message and file land nowhere."""
    session_id = uuid.uuid4().hex
    ann, bob = _user(secure, "ann"), _user(secure, "bob")
    files = {u.bearer: u.upload("mine.csv", b"a\n1\n")["file_id"] for u in (ann, bob)}
    with (
        ann.conn(f"session_id={session_id}") as ann_ws,
        bob.conn(f"session_id={session_id}") as bob_ws,
    ):
        pair = [(Conn(ann_ws), ann), (Conn(bob_ws), bob)][:: 1 if ann_first else -1]
        assert all(conn.ready["resumed"] is False for conn, _ in pair)
        sent = []
        for conn, user in pair:
            sent.append((conn, user, conn.message("Upload a file", [files[user.bearer]])))
            if not at_once and len(sent) == 1:
                conn.until(lambda e: e["type"] == "message.accepted")
        outcomes = {user.bearer: _first_turn(conn, mid) for conn, user, mid in sent}
    assert sorted(outcomes.values()) == ["owner", "refused"]
    owner, loser = (ann, bob) if outcomes[ann.bearer] == "owner" else (bob, ann)
    if not at_once:
        assert owner is pair[0][1]
    session = owner.http.get(f"/api/sessions/{session_id}").json()
    assert (session["turns"], session["queued"]) == (1, 0)
    assert [f["file_id"] for f in session["files"]] == [files[owner.bearer]]
    assert loser.http.get(f"/api/sessions/{session_id}").status_code == 404
    url = f"{loser.ws_base}/api/runtime/agent?session_id={session_id}"
    assert _refused(f"{url}&access_token={loser.bearer}")[0] == 1008


def test_a_subject_with_a_slash_is_not_a_tenants_user(secure: launcher.Stack) -> None:
    tenant_ann = _user(secure, "ann", tenant="acme")
    impostor = _user(secure, "acme/ann")
    ref = tenant_ann.upload("a.csv", b"a\n1\n")
    with tenant_ann.conn() as ws:
        conn = Conn(ws)
        conn.turn("Upload a file", [ref["file_id"]])
        session_id = conn.ready["session_id"]
    assert impostor.http.get(f"/api/sessions/{session_id}").status_code == 404
    with impostor.conn() as ws:
        conn = Conn(ws)
        conn.message("Upload a file", [ref["file_id"]])
        assert conn.error()["code"] == "unknown_file"


@pytest.mark.parametrize("sub", ["", "   ", 42])
def test_an_empty_or_malformed_subject_is_refused(secure: launcher.Stack, sub: object) -> None:
    bearer = token(sub)
    url = f"{secure.api_url()}/api/sessions/{'0' * 32}"
    assert httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    ws = secure.api_url().replace("http", "ws") + "/api/runtime/agent"
    assert _refused(f"{ws}?access_token={bearer}")[0] == 1008


def test_an_hs256_token_signed_with_the_public_key_is_a_401(secure: launcher.Stack) -> None:
    forged = hs256_signed_with(public_pem(KEY), {"sub": "ann", "exp": int(time.time()) + 60})
    USED.append(forged)
    response = httpx.get(
        f"{secure.api_url()}/api/sessions/{'0' * 32}", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    ws = secure.api_url().replace("http", "ws") + "/api/runtime/agent"
    assert _refused(f"{ws}?access_token={forged}")[0] == 1008


def test_the_execution_stream_closes_when_its_token_expires(
    secure: launcher.Stack, tmp_path: Path
) -> None:
    owner = _user(secure, "eve")
    execution_id = owner.start("test_slow", {"seconds": 60, "output": str(tmp_path / "out")})
    short = token("eve", ttl=3)
    url = f"{owner.ws_base}/api/execution/{execution_id}/stream?access_token={short}"
    with connect(url, open_timeout=WAIT) as ws, pytest.raises(ConnectionClosed) as closed:
        while True:
            frame = json.loads(ws.recv(timeout=WAIT))
            assert frame["type"] not in ("execution.completed", "execution.failed")
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "token expired")
    assert owner.http.post(f"/api/executions/{execution_id}/cancel").status_code == 202


def test_an_idle_session_ends_and_its_owner_resumes_it(secure: launcher.Stack) -> None:
    """The run ends after the idle limit; the owner's next message starts the next run
    from its state (same id, offsets, files); a stranger can neither join nor resume it."""
    with extra_api(secure, {"SYMPHAINY_SESSION_IDLE_SECONDS": "2"}) as api:
        ann = UserApi(api.base, token("ann-idle"))
        bob = UserApi(api.base, token("bob-idle"))
        ref = ann.upload("sales.csv", b"region,amount\nnorth,10\n")
        with ann.conn() as ws:
            conn = Conn(ws)
            session_id = conn.ready["session_id"]
            conn.turn("Upload a file", [ref["file_id"]])
            first_run = _wait_for_status(secure, session_id, WorkflowExecutionStatus.COMPLETED)
            url = f"{bob.ws_base}/api/runtime/agent?session_id={session_id}"
            assert _refused(f"{url}&access_token={bob.bearer}")[0] == 1008
            intent: Event = {"name": "test_gated", "params": {}, "session_id": session_id}
            assert bob.http.post("/api/runtime/intents", json=intent).status_code == 404
            conn.turn("bananas")
        with ann.conn(f"session_id={session_id}&after=0") as ws:
            replay = Conn(ws)
            assert replay.ready["resumed"] is True
            replay.until(lambda e: e["offset"] == replay.ready["offset"])
        session = ann.http.get(f"/api/sessions/{session_id}").json()
    offsets = [e["offset"] for e in conn.events]
    assert offsets == list(range(1, len(offsets) + 1))
    assert [e["offset"] for e in replay.events] == offsets
    assert session["turns"] == 2
    assert [f["file_id"] for f in session["files"]] == [ref["file_id"]]
    second_run = _wait_for_status(secure, session_id, WorkflowExecutionStatus.RUNNING)
    assert second_run != first_run


def _wait_for_status(
    stack: launcher.Stack, session_id: str, status: WorkflowExecutionStatus
) -> str:
    """The run id of the session's latest run once it has `status` (bounded)."""

    async def wait() -> str:
        client = await Client.connect(stack.temporal_address)
        handle = client.get_workflow_handle(f"session-{session_id}")
        deadline = time.monotonic() + WAIT
        while True:
            description = await handle.describe()
            if description.status == status:
                return description.run_id
            assert time.monotonic() < deadline, f"the session stayed {description.status}"
            await asyncio.sleep(0.1)

    return asyncio.run(wait())


def test_no_token_reaches_any_log(secure: launcher.Stack) -> None:
    """The auth scenarios (accepted, 403, 1008, expired, bad signature), then every log
    file of the stack is searched for every token this module used. Runs last."""
    base = secure.api_url()
    ws = base.replace("http", "ws") + "/api/runtime/agent"
    good = token("logged")
    with connect(f"{ws}?access_token={good}", open_timeout=WAIT) as sock:
        Conn(sock)
    with connect(ws, additional_headers={"Authorization": f"Bearer {good}"}) as sock:
        Conn(sock)
    with connect(ws, subprotocols=["bearer", good]) as sock:  # type: ignore[list-item]
        Conn(sock)
    with pytest.raises(InvalidStatus):
        connect(f"{ws}?access_token={good}", origin=Origin("https://evil.example"))
    opaque = f"opaque-{uuid.uuid4().hex}"
    USED.append(opaque)
    for bad in (token("logged", ttl=-30), token("logged", key=OTHER_KEY), opaque):
        assert _refused(f"{ws}?access_token={bad}")[0] == 1008
        assert httpx.get(f"{base}/api/sessions/{'0' * 32}?access_token={bad}").status_code == 401
        headers = {"Authorization": f"Bearer {bad}"}
        assert httpx.get(f"{base}/api/sessions/{'0' * 32}", headers=headers).status_code == 401
    assert httpx.get(f"{base}/api/sessions/{'0' * 32}?access_token={good}").status_code == 404
    assert secure.log_dir is not None
    logs = {path: path.read_text(errors="replace") for path in secure.log_dir.rglob("*.log")}
    assert any("access_token=<redacted>" in text for text in logs.values()), "nothing logged"
    secrets = USED + [t.rsplit(".", 1)[-1] for t in USED if t.count(".") == 2]
    leaks = [(path.name, t[:12]) for path, text in logs.items() for t in secrets if t in text]
    assert leaks == []
