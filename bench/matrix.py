"""Per-row latency of the routing matrix over a real stack, against Temporal's own floor.

Run: `.venv/bin/python -m bench.matrix [--rounds N]`. Starts its own stack (dev server,
`python worker.py`, `uvicorn`) on free ports, and in the same run measures the raw
floor: a no-op Update round trip on a minimal workflow with no project code.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import launcher
from bench.floor import update_round_trips_ms
from tests.client import Api, Conn

SALES = b"region,amount\nnorth,10\nsouth,20\nnorth,\neast,40\n"
SOP = (
    b"# Refunds\n\n1. The customer asks.\n2. If the amount is over 100 then the manager approves.\n"
)


def timed_turn(conn: Conn, text: str, file_ids: list[str] | None) -> tuple[float, float]:
    """ms from sending to `message.accepted`, and to `turn.completed`."""
    started = time.perf_counter()
    message_id = conn.message(text, file_ids)
    accepted = conn.until(lambda e: e.get("message_id") == message_id)
    t_accepted = (time.perf_counter() - started) * 1000
    conn.until(lambda e: e["type"] == "turn.completed" and e["turn_id"] == accepted["turn_id"])
    return t_accepted, (time.perf_counter() - started) * 1000


def rows(api: Api) -> list[tuple[str, str, Callable[[], list[str] | None]]]:
    """The contract's matrix: label, message, and the files to attach."""
    return [
        ("upload, no file (direct)", "Upload a file", lambda: None),
        ("upload + csv (direct)", "Upload a file", lambda: [api.upload("s.csv", SALES)["file_id"]]),
        ("insights (liaison)", "What insights can I get from my data?", lambda: None),
        (
            "sop (liaison)",
            "Create a workflow from my SOP",
            lambda: [api.upload("sop.md", SOP, "text/markdown")["file_id"]],
        ),
        ("compare (collaboration)", "Compare my data quality across files", lambda: None),
        ("unclear (clarify)", "bananas are yellow", lambda: None),
    ]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with (
        tempfile.TemporaryDirectory() as tmp,
        launcher.running(Path(tmp), log_dir=Path(tmp)) as stack,
    ):
        api = Api(stack.api_url())
        floor = asyncio.run(update_round_trips_ms(stack.temporal_address, rounds * 5))
        floor_p50 = statistics.median(floor)
        print(
            f"raw floor (no-op Update round trip): p50 {floor_p50:.1f} ms, "
            f"p90 {pct(floor, 0.9):.1f} ms  [{len(floor)} samples]"
        )
        print(
            f"{'row':28} {'accepted p50':>12} {'p90':>7} {'x floor':>8} {'turn p50':>9} {'p90':>7}"
        )
        for label, text, files in rows(api):
            accepted, completed = [], []
            for _ in range(rounds):
                with api.socket() as conn:
                    conn.turn(
                        "Upload a file",
                        [
                            api.upload("a.csv", SALES)["file_id"],
                            api.upload("b.csv", SALES)["file_id"],
                        ],
                    )
                    a, c = timed_turn(conn, text, files())
                accepted.append(a)
                completed.append(c)
            print(
                f"{label:28} {statistics.median(accepted):10.1f}ms {pct(accepted, 0.9):6.1f} "
                f"{statistics.median(accepted) / floor_p50:7.2f}x "
                f"{statistics.median(completed):8.1f}ms {pct(completed, 0.9):6.1f}"
            )


if __name__ == "__main__":
    main()
