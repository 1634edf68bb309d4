"""Token mode: who may connect, and who may touch what. Its own stack, in token mode."""

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import jwt
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

import launcher
from tests.client import WAIT, Api, Conn

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def token(sub: str, *, ttl: float = 600, secret: str = SECRET, tenant: str | None = None) -> str:
    claims: dict[str, object] = {"sub": sub, "exp": int(time.time() + ttl)}
    if tenant:
        claims["tenant"] = tenant
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.fixture(scope="module")
def token_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[launcher.Stack]:
    root = tmp_path_factory.mktemp("auth")
    env = {
        "SYMPHAINY_AUTH_MODE": "token",
        "SYMPHAINY_JWT_SECRET": SECRET,
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
        "SYMPHAINY_FLOOD_STRIKES": "20",
    }
    with launcher.running(root / "data", log_dir=root, env=env) as stack:
        yield stack


class UserApi(Api):
    """The API as one token holder sees it."""

    def __init__(self, base: str, bearer: str) -> None:
        super().__init__(base)
        self.bearer = bearer
        self.http = httpx.Client(
            base_url=base, timeout=WAIT, headers={"Authorization": f"Bearer {bearer}"}
        )

    def conn(self, query: str = "") -> ClientConnection:
        separator = "&" if query else ""
        url = f"{self.ws_base}/api/runtime/agent?{query}{separator}access_token={self.bearer}"
        return connect(url, open_timeout=WAIT)


def _closed_code(url: str) -> int:
    with connect(url, open_timeout=WAIT) as ws, pytest.raises(ConnectionClosed) as err:
        ws.recv(timeout=WAIT)
    assert err.value.rcvd is not None
    return err.value.rcvd.code


def test_missing_forged_and_expired_tokens_are_refused(token_stack: launcher.Stack) -> None:
    ws = token_stack.api_url().replace("http", "ws") + "/api/runtime/agent"
    assert _closed_code(ws) == 1008
    assert _closed_code(f"{ws}?access_token={token('ann', secret='x' * 40)}") == 1008
    assert _closed_code(f"{ws}?access_token={token('ann', ttl=-10)}") == 1008
    assert _closed_code(f"{ws}?access_token=not.a.jwt") == 1008
    assert httpx.get(f"{token_stack.api_url()}/api/sessions/{'0' * 32}").status_code == 401


def test_a_token_in_header_query_or_subprotocol_is_accepted(token_stack: launcher.Stack) -> None:
    base = token_stack.api_url().replace("http", "ws") + "/api/runtime/agent"
    bearer = token("ann")
    with connect(base, additional_headers={"Authorization": f"Bearer {bearer}"}) as ws:
        assert Conn(ws).ready["type"] == "session.ready"
    with connect(f"{base}?access_token={bearer}") as ws:
        assert Conn(ws).ready["type"] == "session.ready"
    with connect(base, subprotocols=["bearer", bearer]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "bearer"
        assert Conn(ws).ready["type"] == "session.ready"


def test_another_users_session_execution_and_file_are_out_of_reach(
    token_stack: launcher.Stack, tmp_path: Path
) -> None:
    ann = UserApi(token_stack.api_url(), token("ann"))
    bob = UserApi(token_stack.api_url(), token("bob"))
    ref = ann.upload("a.csv", b"a,b\n1,2\n")
    with ann.conn() as ws:
        conn = Conn(ws)
        session_id = conn.ready["session_id"]
        conn.turn("Upload a file", [ref["file_id"]])
    failed = ann.start("test_broken", {}, session_id)
    ann.wait_execution(failed)
    with bob.conn(f"session_id={session_id}") as ws, pytest.raises(ConnectionClosed) as err:
        ws.recv(timeout=WAIT)
    assert err.value.rcvd is not None and err.value.rcvd.code == 1008
    stream = f"{bob.ws_base}/api/execution/{failed}/stream?access_token={bob.bearer}"
    assert _closed_code(stream) == 1008
    assert bob.http.get(f"/api/executions/{failed}").status_code == 404
    assert bob.http.post(f"/api/executions/{failed}/retry").status_code == 404
    assert bob.http.get(f"/api/sessions/{session_id}").status_code == 404
    with bob.conn() as ws:
        conn = Conn(ws)
        conn.message("Upload a file", [ref["file_id"]])
        assert conn.error()["code"] == "unknown_file"
    assert ann.http.get(f"/api/executions/{failed}").json()["status"] == "failed"


def test_tenants_keep_the_same_subject_apart(token_stack: launcher.Stack) -> None:
    one = UserApi(token_stack.api_url(), token("sam", tenant="acme"))
    two = UserApi(token_stack.api_url(), token("sam", tenant="globex"))
    ref = one.upload("a.csv", b"a\n1\n")
    with two.conn() as ws:
        conn = Conn(ws)
        conn.message("Upload a file", [ref["file_id"]])
        assert conn.error()["code"] == "unknown_file"


def test_a_socket_closes_when_its_token_expires(token_stack: launcher.Stack) -> None:
    short = UserApi(token_stack.api_url(), token("eve", ttl=2))
    with short.conn() as ws, pytest.raises(ConnectionClosed) as err:
        Conn(ws)
        ws.recv(timeout=10)
    assert err.value.rcvd is not None
    assert err.value.rcvd.code == 1008
    assert "expired" in err.value.rcvd.reason


def test_a_flooding_client_is_limited_then_closed_and_others_carry_on(
    token_stack: launcher.Stack,
) -> None:
    flood = UserApi(token_stack.api_url(), token(f"flood-{uuid.uuid4().hex}"))
    calm = UserApi(token_stack.api_url(), token(f"calm-{uuid.uuid4().hex}"))
    with flood.conn() as noisy, calm.conn() as quiet:
        Conn(noisy)
        with contextlib.suppress(ConnectionClosed):
            for _ in range(500):
                noisy.send('{"type": "ping"}')
        codes = []
        with pytest.raises(ConnectionClosed) as err:
            while True:
                codes.append(json.loads(noisy.recv(timeout=WAIT)).get("code"))
        assert "rate_limited" in codes
        assert err.value.rcvd is not None and err.value.rcvd.code == 1008
        events = Conn(quiet).turn("Upload a file")
    assert events[-1]["type"] == "turn.completed"


def test_a_user_may_hold_only_so_many_sockets(token_stack: launcher.Stack) -> None:
    user = UserApi(token_stack.api_url(), token(f"many-{uuid.uuid4().hex}"))
    with ExitStack() as stack:
        for _ in range(16):
            Conn(stack.enter_context(user.conn()))
        url = f"{user.ws_base}/api/runtime/agent?access_token={user.bearer}"
        assert _closed_code(url) == 1008
