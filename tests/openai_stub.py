"""A small OpenAI-compatible chat server for the LLM backend's tests: recorded answers.

It runs a real uvicorn in a thread on a free port; each test sets `respond`, which
turns the request (the decoded JSON body) into the assistant's message content. A
request with `stream: true` gets it as OpenAI streams it (server-sent chunks).
"""

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

import launcher

Respond = Callable[[dict[str, Any]], str | dict[str, Any]]
"""A recorded answer: the assistant's content, or a message with tool calls (`tool_call`)."""


class Stub:
    """The server's recorded answers and every request it received."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/v1"
        self.requests: list[dict[str, Any]] = []
        self.respond: Respond = lambda _: "{}"
        self.hold_after: int | None = None
        """A streamed reply stops after this many words until `release` is set."""
        self.release = threading.Event()
        self.pace = 0.0
        """Seconds between a streamed reply's chunks (a model writing; benchmarks)."""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions", response_model=None)
        async def complete(request: Request) -> dict[str, Any] | StreamingResponse:
            body = await request.json()
            self.requests.append(body)
            reply = self.respond(body)
            if body.get("stream"):
                return StreamingResponse(
                    self._events(body["model"], reply), media_type="text/event-stream"
                )
            return _completion(body["model"], reply)

        return app

    def _events(self, model: str, reply: str | dict[str, Any]) -> Iterator[str]:
        """The chunks, held after `hold_after` words (the generator runs in a thread)."""
        for index, event in enumerate(_events(model, reply)):
            if self.hold_after is not None and index == self.hold_after + 1:
                self.release.wait(timeout=30)
            time.sleep(self.pace)
            yield event


def user_input(body: dict[str, Any]) -> dict[str, Any]:
    """The turn the backend described, decoded from the first user message."""
    text = next(m["content"] for m in body["messages"] if m["role"] == "user")
    described: dict[str, Any] = json.loads(
        next(line for line in text.splitlines() if line.startswith("{"))
    )
    return described


def tool_call(name: str, arguments: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    """An assistant message calling one tool, as OpenAI's API returns it."""
    call = {
        "id": f"call-{name}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }
    return {"role": "assistant", "content": content, "tool_calls": [call]}


def tool_names(body: dict[str, Any]) -> list[str]:
    """The tools a request offered the model."""
    return [t["function"]["name"] for t in body.get("tools", [])]


def schema_name(body: dict[str, Any]) -> str:
    return str(body["response_format"]["json_schema"]["name"])


def _completion(model: str, reply: str | dict[str, Any]) -> dict[str, Any]:
    message = reply if isinstance(reply, dict) else {"role": "assistant", "content": reply}
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def words(text: str) -> list[str]:
    """How the stub streams a content: a word (with the space after it) per chunk."""
    return re.findall(r"\S+\s*|\s+", text)


def _events(model: str, reply: str | dict[str, Any]) -> Iterator[str]:
    """The reply as OpenAI streams it: server-sent chunks (the role, then the content a
    word at a time, each tool call's arguments in two halves), a last chunk with the
    finish reason, then [DONE]. The n-th word is chunk n (after the role's)."""
    message = reply if isinstance(reply, dict) else {"role": "assistant", "content": reply}
    deltas: list[dict[str, Any]] = [{"role": "assistant"}]
    deltas += [{"content": word} for word in words(message.get("content") or "")]
    for index, call in enumerate(message.get("tool_calls") or []):
        arguments = call["function"]["arguments"]
        half = len(arguments) // 2
        head = {"name": call["function"]["name"], "arguments": arguments[:half]}
        first = {"index": index, "id": call["id"], "type": "function", "function": head}
        rest = {"index": index, "function": {"arguments": arguments[half:]}}
        deltas += [{"tool_calls": [first]}, {"tool_calls": [rest]}]
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    for delta, reason in [*((d, None) for d in deltas), ({}, finish)]:
        chunk = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": reason}],
        }
        yield f"data: {json.dumps(chunk)}\n\n"
    yield "data: [DONE]\n\n"


@contextmanager
def serving() -> Iterator[Stub]:
    """The stub on a free loopback port until the block ends."""
    stub = Stub(launcher.free_port())
    port = int(stub.url.split(":")[2].split("/")[0])
    server = uvicorn.Server(uvicorn.Config(stub.app(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield stub
    finally:
        server.should_exit = True
        thread.join(timeout=10)
