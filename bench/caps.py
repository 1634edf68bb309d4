"""What a per-user cap check costs, and how late Temporal's visibility sees a start.

Run: `.venv/bin/python -m bench.caps` (`--checks N`). Its own stack (token mode, two
API processes). It reports, for the two sources of truth of `api/limits.py`:

- a visibility count (`count_workflows` by `UserId`, what the open-session and
  running-execution caps ask): p50/p95 latency;
- the SQLite start window (what the per-minute caps use): p50/p95 latency of one
  check-and-record;
- visibility's lag: from an execution's start (the API's 202) to a count including
  it, p50/p95: the window a burst of starts would have if the per-minute
  caps counted in visibility;
- the REST intent's p50 with the caps checked, against the same with them off.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import jwt
from temporalio.client import Client

import launcher
from api.limits import StartWindow

SECRET = "a-benchmark-secret-that-is-long-enough-for-hs256"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "exp": int(time.time() + 3600)}
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


async def count_latency(client: Client, checks: int) -> list[float]:
    query = 'WorkflowType="IntentExecution" AND ExecutionStatus="Running" AND UserId="bench"'
    samples = []
    for _ in range(checks):
        started = time.perf_counter()
        await client.count_workflows(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def window_latency(path: Path, checks: int) -> list[float]:
    window = StartWindow(path)
    samples = []
    for index in range(checks):
        started = time.perf_counter()
        await window.hit(f"bench-{index % 10}", "intent", 10**6, "intents")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def visibility_lag(client: Client, base: str, starts: int) -> list[float]:
    """Start an execution over REST, then poll the count until it includes it."""
    user = f"lag-{uuid.uuid4().hex}"
    query = f'WorkflowType="IntentExecution" AND UserId="{user}"'
    samples = []
    async with httpx.AsyncClient(base_url=base, headers=bearer(user)) as http:
        for index in range(starts):
            response = await http.post(
                "/api/runtime/intents", json={"name": "test_broken", "params": {}}
            )
            assert response.status_code == 202, response.text
            started = time.perf_counter()
            while (await client.count_workflows(query)).count < index + 1:
                pass
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def intent_latency(base: str, requests: int) -> list[float]:
    samples = []
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(requests):
            headers = bearer(f"rest-{uuid.uuid4().hex}")
            started = time.perf_counter()
            response = await http.post(
                "/api/runtime/intents",
                json={"name": "test_broken", "params": {}},
                headers=headers,
            )
            assert response.status_code == 202, response.text
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(name: str, samples: list[float]) -> None:
    print(f"{name:48} p50 {pct(samples, 0.5):7.2f} ms  p95 {pct(samples, 0.95):7.2f} ms")


async def run(stack: launcher.Stack, checks: int) -> None:
    client = await Client.connect(stack.temporal_address)
    line("visibility count by UserId", await count_latency(client, checks))
    line(
        "SQLite start window, check and record", await window_latency(stack.data_dir / "w", checks)
    )
    line("visibility lag after a start", await visibility_lag(client, stack.api_url(0), 30))
    capped = await intent_latency(stack.api_url(0), 50)
    free = await intent_latency(stack.api_url(1), 50)
    line("REST intent, caps checked", capped)
    line("REST intent, caps off (same run)", free)
    print(
        f"caps' share of a REST intent: x{statistics.median(capped) / statistics.median(free):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=200)
    options = parser.parse_args()
    env = {
        "SYMPHAINY_AUTH_MODE": "token",
        "SYMPHAINY_JWT_SECRET": SECRET,
        "SYMPHAINY_INTENT_MODULES": '["tests.fault_realm"]',
        "SYMPHAINY_INTENTS_PER_MINUTE": "100000",
        "SYMPHAINY_MAX_RUNNING_EXECUTIONS": "100000",
    }
    with tempfile.TemporaryDirectory() as tmp, launcher.running(Path(tmp), env=env) as stack:
        uncapped = {**env, "SYMPHAINY_AUTH_MODE": "local"}
        launcher.start_api(stack, launcher.free_port(), "api1", env=uncapped)
        launcher.wait_ready(stack.api_url(1))
        asyncio.run(run(stack, options.checks))


if __name__ == "__main__":
    main()
