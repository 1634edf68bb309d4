"""An LLM liaison's words on their way to the session's sockets while the model writes them.

Best-effort by design: the durable `agent.message` carries the whole reply anyway, so a
piece that cannot be posted is dropped, never retried, never fails the turn, and holds
the activity at most `FLUSH` seconds at its end. Pieces go out in order from one task
per reply, those queued meanwhile as one post, to every API process the worker knows
(`delta_urls`): the one holding the session's sockets hands them on, the others have
none of that session and drop them. With `each_address`, a URL stands for every address
its host resolves to when the reply starts (API replicas behind one service name).
"""

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from itertools import groupby
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from models.agents import DELTA_PATH, AgentDelta, ReplyTo

log = logging.getLogger(__name__)
Send = Callable[[int, str], None]
"""Hands on a piece of the reply, with the number of the model call that wrote it."""

FLUSH = 1.0
"""Seconds a reply waits at its end for pieces still on their way: they then reach the
socket before the durable agent.message, which the workflow publishes only afterwards."""
POST_TIMEOUT = 2.0
QUEUE = 256
"""Pieces waiting to be posted; past it they are dropped (the message still comes)."""


Resolve = Callable[[str], Awaitable[list[str]]]
"""A host's addresses."""


async def addresses(host: str) -> list[str]:
    """Every address `host` resolves to, once each, in the resolver's order."""
    found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class DeltaPoster:
    """Posts a reply's pieces to the API processes' delta endpoint, with the secret."""

    def __init__(
        self,
        urls: list[str],
        secret: str,
        client: httpx.AsyncClient | None = None,
        *,
        each_address: bool = False,
        resolve: Resolve = addresses,
    ):
        self._urls = [url.rstrip("/") + DELTA_PATH for url in urls]
        self._headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self._client = client or httpx.AsyncClient(timeout=POST_TIMEOUT)
        self._each_address = each_address
        self._resolve = resolve

    @asynccontextmanager
    async def stream(self, reply_to: ReplyTo, agent: str) -> AsyncIterator[Send]:
        """A `Send` for one reply; on exit, the rest is posted for at most `FLUSH` s."""
        queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(QUEUE)
        sender = asyncio.create_task(self._send(queue, reply_to, agent))

        def send(attempt: int, text: str) -> None:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((attempt, text))

        try:
            yield send
        finally:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sender, FLUSH)

    async def _targets(self) -> list[str]:
        """The URLs of this reply: as configured, or one per address of each URL's host
        (a host that does not resolve is left as it is: its posts fail and are logged)."""
        if not self._each_address:
            return self._urls
        targets: list[str] = []
        for url in self._urls:
            parts = urlsplit(url)
            try:
                found = await self._resolve(parts.hostname or "")
            except OSError:
                found = []
            targets += [_at(parts, address) for address in found] or [url]
        return targets

    async def _send(
        self, queue: asyncio.Queue[tuple[int, str] | None], reply_to: ReplyTo, agent: str
    ) -> None:
        """Post what is queued, in order, until the reply ends; a failure is logged once.
        The targets are resolved here, so a slow resolver never holds the reply itself."""
        targets = await self._targets()
        failed = False
        while True:
            batch = [await queue.get()]
            while not queue.empty() and batch[-1] is not None:
                batch.append(queue.get_nowait())
            pieces = [item for item in batch if item is not None]
            for attempt, group in groupby(pieces, key=lambda item: item[0]):
                delta = AgentDelta(
                    **reply_to.model_dump(),
                    agent=agent,
                    attempt=attempt,
                    text="".join(text for _, text in group),
                )
                refused = await self._post(delta, targets)
                if refused and not failed:
                    failed = True
                    log.warning(
                        "agent deltas not delivered: %s", refused, extra=reply_to.model_dump()
                    )
            if batch[-1] is None:
                return

    async def _post(self, delta: AgentDelta, targets: list[str]) -> str:
        """To every API process at once; what went wrong (a status, a fault's kind; never
        the request, which carries the secret), or "" when each took it."""
        body = delta.model_dump_json()
        answers = await asyncio.gather(
            *(self._client.post(url, content=body, headers=self._headers) for url in targets),
            return_exceptions=True,
        )
        return ", ".join(
            str(a.status_code) if isinstance(a, httpx.Response) else type(a).__name__
            for a in answers
            if not (isinstance(a, httpx.Response) and a.is_success)
        )


def _at(parts: SplitResult, address: str) -> str:
    """The URL with its host replaced by one of its addresses (an IPv6 one bracketed)."""
    host = f"[{address}]" if ":" in address else address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def nowhere(attempt: int, text: str) -> None:
    """No socket to tell: the durable agent.message is the reply."""


def reply(
    poster: DeltaPoster | None, reply_to: ReplyTo | None, agent: str
) -> AbstractAsyncContextManager[Send]:
    """Where a reply's pieces go: the session's sockets, or nowhere (no poster, or the
    words are not the turn's reply)."""
    if poster is None or reply_to is None:
        return nullcontext(nowhere)
    return poster.stream(reply_to, agent)
