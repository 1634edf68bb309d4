"""A small OpenAI-compatible chat server for the LLM backend's tests: recorded answers.

It runs a real uvicorn in a thread on a free port; each test sets `respond`, which
turns the request (the decoded JSON body) into the assistant's message content.
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

import launcher

Respond = Callable[[dict[str, Any]], str | dict[str, Any]]
"""A recorded answer: the assistant's content, or a message with tool calls (`tool_call`)."""


class Stub:
    """The server's recorded answers and every request it received."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/v1"
        self.requests: list[dict[str, Any]] = []
        self.respond: Respond = lambda _: "{}"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> dict[str, Any]:
            body = await request.json()
            self.requests.append(body)
            return _completion(body["model"], self.respond(body))

        return app


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
