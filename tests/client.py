"""A small test client of the contract: real WebSockets, real HTTP."""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

import launcher

Event = dict[str, Any]
WAIT = 30.0


class Conn:
    """One socket; remembers every stream event it saw, in order, and every frame."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ready: Event = self.recv()
        self.events: list[Event] = []
        self.errors: list[Event] = []
        self.frames: list[Event] = []
        """Every frame `until` read, in arrival order (transient ones too: agent.delta)."""

    def recv(self, timeout: float = WAIT) -> Event:
        frame = json.loads(self.ws.recv(timeout=timeout))
        assert isinstance(frame, dict)
        return frame

    def send(self, frame: Event | str) -> None:
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def message(
        self, text: str, file_ids: list[str] | None = None, message_id: str | None = None
    ) -> str:
        message_id = message_id or uuid.uuid4().hex
        frame: Event = {"type": "user.message", "message_id": message_id, "text": text}
        if file_ids:
            frame["file_ids"] = file_ids
        self.send(frame)
        return message_id

    def until(self, done: Callable[[Event], bool], timeout: float = WAIT) -> Event:
        """Read frames until one satisfies `done`; stream events are kept in order."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.recv(timeout=max(0.01, deadline - time.monotonic()))
            self.frames.append(frame)
            if "offset" in frame:
                self.events.append(frame)
            elif frame["type"] == "error":
                self.errors.append(frame)
            if done(frame):
                return frame

    def turn(self, text: str, file_ids: list[str] | None = None) -> list[Event]:
        """Send a message and return its turn's events, through `turn.completed`."""
        message_id = self.message(text, file_ids)
        accepted = self.until(
            lambda e: e.get("message_id") == message_id and e["type"] == "message.accepted"
        )
        turn_id = accepted["turn_id"]
        self.until(lambda e: e["type"] == "turn.completed" and e.get("turn_id") == turn_id)
        return [e for e in self.events if e.get("turn_id") == turn_id]

    def seen_or_next(self, match: Callable[[Event], bool]) -> Event:
        """The first stream event already read that matches, or the next one that does."""
        return next((e for e in self.events if match(e)), None) or self.until(match)

    def end_of(self, execution_id: str) -> Event:
        """The `turn.completed` of the turn that an execution started over REST runs in,
        whether or not the socket has read that far yet."""
        created = self.seen_or_next(
            lambda e: e["type"] == "intent.created" and e.get("execution_id") == execution_id
        )
        return self.seen_or_next(
            lambda e: e["type"] == "turn.completed" and e.get("turn_id") == created["turn_id"]
        )

    def error(self, timeout: float = WAIT) -> Event:
        return self.until(lambda e: e["type"] == "error", timeout)


class Api:
    """The stack's API at one base URL."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws_base = base.replace("http://", "ws://")
        self.http = httpx.Client(base_url=base, timeout=WAIT)

    @contextmanager
    def socket(
        self,
        session_id: str | None = None,
        after: int | str | None = None,
        path: str = "/api/runtime/agent",
        approve: str | None = None,
    ) -> Iterator[Conn]:
        query = [] if approve is None else [f"approve={approve}"]
        if session_id is not None:
            query.append(f"session_id={session_id}")
        if after is not None:
            query.append(f"after={after}")
        url = f"{self.ws_base}{path}" + ("?" + "&".join(query) if query else "")
        with connect(url, max_size=None, open_timeout=WAIT) as ws:
            yield Conn(ws)

    def upload(self, name: str, content: bytes, content_type: str = "text/csv") -> Event:
        response = self.http.post("/api/files", files={"file": (name, content, content_type)})
        response.raise_for_status()
        body = response.json()
        assert isinstance(body, dict)
        return body

    def start(self, name: str, params: Event, session_id: str | None = None) -> str:
        body: Event = {"name": name, "params": params}
        if session_id:
            body["session_id"] = session_id
        response = self.http.post("/api/runtime/intents", json=body)
        assert response.status_code == 202, response.text
        return str(response.json()["execution_id"])

    def execution(self, execution_id: str) -> Event:
        response = self.http.get(f"/api/executions/{execution_id}")
        response.raise_for_status()
        body = response.json()
        assert isinstance(body, dict)
        return body

    def wait_execution(self, execution_id: str, timeout: float = WAIT) -> Event:
        """Poll until the execution is over (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.execution(execution_id)
            if body["status"] in ("completed", "failed", "cancelled"):
                return body
            assert time.monotonic() < deadline, f"execution still {body['status']}"
            time.sleep(0.05)


def wait_for_file(pattern: Path, timeout: float = WAIT) -> Path:
    """The first file matching `pattern` (a glob in its folder), bounded in time."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(pattern.parent.glob(pattern.name))
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"nothing matched {pattern}"
        time.sleep(0.05)


def types(events: list[Event]) -> list[str]:
    return [e["type"] for e in events]


def offsets(events: list[Event]) -> list[int]:
    return [e["offset"] for e in events]


@contextmanager
def extra_api(stack: launcher.Stack, env: dict[str, str]) -> Iterator[Api]:
    """A second API process on the same stack, with settings of its own."""
    port = launcher.free_port()
    process = launcher.start_api(stack, port, f"api-{port}", env)
    try:
        launcher.wait_ready(f"http://127.0.0.1:{port}")
        yield Api(f"http://127.0.0.1:{port}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
