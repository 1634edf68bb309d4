"""Streamed replies: when the first words reach the socket against the whole message,
and what one piece costs from the worker's post to the socket.

Run: `.venv/bin/python -m bench.deltas` (`--turns`, `--posts`, `--pace`). It starts its
own stack with the LLM backend against the recorded OpenAI-compatible server
(`tests/openai_stub.py`), which writes the liaison's reply a word per chunk every
`--pace` seconds. Per turn: from sending the message to its `message.accepted`, to the
first `agent.delta`, and to the liaison's `agent.message`. Then `--posts` pieces posted
one at a time to a session with one socket: from the post to the frame on the socket.
"""

import argparse
import json
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx

import launcher
from bench.load import pct
from models.agents import DELTA_PATH
from tests.client import Api, Conn
from tests.openai_stub import Stub, schema_name, serving, tool_call, user_input

REPLY = " ".join(["Profiling sales.csv now: rows, types, missing values and duplicates."] * 3)


def answer(body: dict[str, Any]) -> str | dict[str, Any]:
    """The guide routes to Insights; the liaison profiles the file, in words first."""
    if "tools" not in body and schema_name(body) == "GuideAnswer":
        return json.dumps({"label": "insights", "confidence": 0.9, "rationale": "data"})
    ids = [f["file_id"] for f in user_input(body)["files"]]
    return tool_call("profile_data", {"file_ids": ids}, REPLY)


def turn(conn: Conn, file_id: str) -> tuple[float, float, float]:
    """Seconds from sending to message.accepted, to the first delta, to the message."""
    start = time.perf_counter()
    conn.message("tell me about it", [file_id])
    seen: dict[str, float] = {}

    def mark(frame: dict[str, Any]) -> bool:
        kind = frame["type"]
        if kind == "agent.message" and frame["agent"] == "guide":
            return False
        seen.setdefault(kind, time.perf_counter() - start)
        return bool(kind == "turn.completed")

    conn.until(mark)
    return seen["message.accepted"], seen["agent.delta"], seen["agent.message"]


def post_to_socket(api: Api, conn: Conn, secret: str, count: int) -> list[float]:
    """Seconds from posting a piece to its frame on the session's socket, `count` times."""
    body = {"session_id": conn.ready["session_id"], "turn_id": "t", "agent": "bench"}
    headers = {"Authorization": f"Bearer {secret}"}
    took = []
    with httpx.Client(base_url=api.base) as http:
        for index in range(count):
            piece = str(index)
            start = time.perf_counter()
            http.post(DELTA_PATH, json={**body, "attempt": 1, "text": piece}, headers=headers)
            conn.until(partial(is_piece, piece))
            took.append(time.perf_counter() - start)
    return took


def is_piece(piece: str, frame: dict[str, Any]) -> bool:
    return bool(frame["type"] == "agent.delta" and frame["delta"] == piece)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--pace", type=float, default=0.05)
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-deltas-"))
    with serving() as stub:
        stub.respond, stub.pace = answer, options.pace
        env = {"SYMPHAINY_ANALYZER": "llm", "SYMPHAINY_LLM_BASE_URL": stub.url}
        with launcher.running(root / "data", log_dir=root, env=env) as stack:
            report(stack, stub, options)


def report(stack: launcher.Stack, stub: Stub, options: argparse.Namespace) -> None:
    api = Api(stack.api_url())
    ref = api.upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    with api.socket() as conn:
        turns = [turn(conn, ref["file_id"]) for _ in range(options.turns)]
        posts = post_to_socket(api, conn, stack.delta_secret, options.posts)
    words = len(REPLY.split())
    print(f"{options.turns} turns, reply of {words} words, one every {options.pace:.3f} s")
    names = ("accepted", "first delta", "agent.message")
    for name, values in zip(names, zip(*turns, strict=True), strict=True):
        print(f"  {name:14} p50 {pct(list(values), 0.5):.3f} s  max {max(values):.3f} s")
    print(
        f"{options.posts} pieces, post -> socket: p50 {pct(posts, 0.5) * 1000:.1f} ms, "
        f"p95 {pct(posts, 0.95) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
