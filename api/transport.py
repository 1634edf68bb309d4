"""The agent socket's transport: one connected client of one session.

A receive loop and a send loop run side by side, so a disconnect is seen at once and
the socket leaves its session's feed. The send loop reads the feed by cursor: stream
events are never copied into a per-socket buffer. What each frame asks of the session
is `api/commands.py`'s business; what goes on the wire, `api/wire.py`'s.
"""

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass

from fastapi import WebSocket, WebSocketDisconnect

from api.auth import Identity
from api.availability import TemporalUnavailable
from api.commands import NotRecorded, Services, SessionCommands
from api.conversations import NotOwner, SessionEnded
from api.edge import SocketRegistry
from api.frames import ClientFrame, FrameError, parse_frame
from api.hub import Behind, Feed, Frame, StreamHub
from api.outbox import Close, Outbox
from api.wire import UNAVAILABLE, ready_frame
from models.conversation import Accepted, SessionInfo
from models.search import is_server_id
from telemetry.logs import bind_ids
from telemetry.metrics import SocketMeter
from telemetry.tracing import frame_span

log = logging.getLogger(__name__)
OTHERS_SESSION = "session belongs to another user"


@dataclass
class _Opening:
    session_id: str
    info: SessionInfo | None
    after: int
    after_error: FrameError | None


class AgentSocket:
    """One connected client of one session."""

    def __init__(
        self,
        websocket: WebSocket,
        *,
        services: Services,
        hub: StreamHub,
        registry: SocketRegistry,
        identity: Identity,
        meter: SocketMeter,
    ) -> None:
        self._ws = websocket
        self._services = services
        self._settings = services.settings
        self._hub = hub
        self._registry = registry
        self._identity = identity
        self._user_id = identity.user_id
        self._wake = asyncio.Event()
        self._outbox = Outbox(services.settings.socket_send_buffer, self._wake)
        self._flood = registry.guard(identity.user_id)
        self._feed: Feed | None = None
        self._cursor = 0
        self._accepted: Frame | None = None
        """This socket's last `message.accepted`, sent before the feed has it (see `_early`)."""
        self._session_id = ""
        self._last_activity = time.monotonic()
        self._meter = meter

    def close(self, code: int, reason: str) -> None:
        """Ask the send loop to close the socket (shutdown, expiry, abuse)."""
        self._outbox.close(code, reason)

    async def serve(self, subprotocol: str | None) -> None:
        """Handshake, `session.ready`, then both loops until either ends."""
        await self._ws.accept(subprotocol=subprotocol)
        if not self._registry.register(self._user_id, self):
            await self._ws.close(1008, "too many open sockets for this user")
            return
        self._meter.opened()
        try:
            await self._serve()
        finally:
            self._meter.closed()
            self._registry.unregister(self._user_id, self)
            if self._feed is not None:
                self._hub.leave(self._feed, self._wake)

    async def _serve(self) -> None:
        opening = await self._open()
        if opening is None:
            return
        self._session_id = opening.session_id
        bind_ids(user_id=self._user_id, session_id=self._session_id)
        log.info("socket opened (resumed: %s)", opening.info is not None)
        self._cursor = opening.after
        commands = SessionCommands(
            self._services,
            user_id=self._user_id,
            session_id=self._session_id,
            approve_all=self._ws.query_params.get("approve") == "all",
        )
        self._outbox.put(
            ready_frame(
                opening.session_id,
                resumed=opening.info is not None,
                offset=opening.info.offset if opening.info else 0,
            )
        )
        if opening.after_error:
            self._meter.refused(opening.after_error.code)
            self._outbox.put(opening.after_error.frame())
        if opening.info is not None:
            self._join(opening.info.user_id, opening.info.offset)
        tasks = {
            asyncio.create_task(self._receive_loop(commands), name="ws-receive"),
            asyncio.create_task(self._send_loop(), name="ws-send"),
            asyncio.create_task(self._watch(), name="ws-watch"),
        }
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _open(self) -> _Opening | None:
        """Resolve `session_id` and `after`; close with 1008 on a session not the caller's,
        and with 1013 (try again later) while Temporal does not answer."""
        params = self._ws.query_params
        requested = params.get("session_id")
        if requested is not None and not is_server_id(requested):
            await self._ws.close(1008, "session_id is malformed")
            return None
        session_id = requested or uuid.uuid4().hex
        try:
            conversations = self._services.conversations
            info = await conversations.info(session_id) if requested else None
            if info is None and not await conversations.reachable():
                raise TemporalUnavailable("Temporal is unreachable")
        except TemporalUnavailable:
            await self._ws.close(1013, UNAVAILABLE)
            return None
        if info is not None and info.user_id != self._user_id:
            await self._ws.close(1008, OTHERS_SESSION)
            return None
        after, after_error = _after(params.get("after"))
        newest = info.offset if info else 0
        return _Opening(session_id, info, min(after, newest), after_error)

    def _join(self, owner: str, latest: int) -> None:
        """Read the session's feed; `owner` is what the workflow said (info or submit),
        `latest` the session's newest offset it gave."""
        if owner != self._user_id:
            raise NotOwner(self._session_id)
        self._feed = self._hub.join(
            self._session_id,
            owner,
            self._cursor,
            self._wake,
            transient=self._outbox.offer,
            latest=latest,
        )
        self._wake.set()

    async def _send_loop(self) -> None:
        """Control frames first, then stream events from the cursor on, at the client's pace."""
        live = False
        while True:
            self._wake.clear()
            item = self._outbox.take()
            if isinstance(item, Close):
                await self._ws.close(item.code, item.reason)
                return
            if item is not None:
                await self._send(item)
                continue
            early = self._early()
            if early is not None:
                await self._send(early.text)
                self._cursor = early.offset
                continue
            if self._feed is not None and self._feed.newest > self._cursor:
                if self._feed.owner != self._user_id:
                    self.close(1008, OTHERS_SESSION)
                    continue
                try:
                    frames = self._feed.after(self._cursor)
                    live = True
                except Behind:
                    if live:
                        self.close(1008, "too far behind the stream: reconnect with after")
                        continue
                    frames = await self._older(self._feed)
                for frame in frames:
                    await self._send(frame.text)
                    self._cursor = frame.offset
                    self._last_activity = time.monotonic()
                continue
            await self._wake.wait()

    async def _send(self, text: str) -> None:
        """Every frame to the client goes out here, so the metrics see each one."""
        await self._ws.send_text(text)
        self._meter.sent(text)

    def _early(self) -> Frame | None:
        """The pending `message.accepted`, once it is the next offset this socket owes.

        The message is durable when its `submit` Update returns, so the socket need not
        wait for the stream: it sends the event then, in the stream's own form and at
        its offset, and the feed's copy is skipped by offset. The event waits while
        earlier offsets are still unsent, so offsets stay in order and each is sent once.
        """
        early = self._accepted
        if early is None or early.offset > self._cursor + 1:
            return None
        self._accepted = None
        return early if early.offset == self._cursor + 1 else None

    async def _older(self, feed: Feed) -> list[Frame]:
        """A socket that starts behind the feed's memory reads the rest from the workflow."""
        frames = await self._hub.older(self._session_id, self._cursor, feed.first_remembered())
        if not frames:
            self._cursor = feed.first_remembered() - 1
        return frames

    async def _watch(self) -> None:
        """Close on token expiry (1008) and after a long silence both ways (1000)."""
        idle = self._settings.idle_timeout_seconds
        expires = self._identity.expires_at
        while True:
            now = time.monotonic()
            wall = time.time()
            if expires is not None and wall >= expires:
                self.close(1008, "token expired")
                return
            if now - self._last_activity >= idle:
                self.close(1000, "idle")
                return
            until_idle = idle - (now - self._last_activity)
            until_expiry = expires - wall if expires is not None else until_idle
            await asyncio.sleep(max(0.05, min(until_idle, until_expiry)))

    async def _receive_loop(self, commands: SessionCommands) -> None:
        while True:
            try:
                message = await self._ws.receive()
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            self._last_activity = time.monotonic()
            try:
                if not self._admit():
                    continue
                frame = self._read(message.get("text"))
                self._meter.received(frame.type, getattr(frame, "message_id", None))
                with frame_span(frame.type, session_id=self._session_id, user_id=self._user_id):
                    await self._handle(frame, commands)
            except NotRecorded:
                self.close(1011, "could not record the message; reconnect and resend")
            except FrameError as err:
                self._meter.refused(err.code)
                self._outbox.put(err.frame())
            except NotOwner:
                self.close(1008, OTHERS_SESSION)
                return
            except TemporalUnavailable:
                self.close(1013, UNAVAILABLE)
                return
            except SessionEnded:
                self.close(1000, "this session has ended: open a new one")
                return
            except Exception:
                log.exception("frame handling failed", extra={"session_id": self._session_id})
                self.close(1011, "server fault: reconnect with after")
                return

    def _admit(self) -> bool:
        """Token buckets per socket and per user; a client that keeps flooding is closed."""
        if self._flood.admit():
            return True
        if self._flood.flooding():
            self.close(1008, "rate limit exceeded repeatedly")
            return False
        raise FrameError("rate_limited", "too many frames: slow down")

    def _read(self, text: str | None) -> ClientFrame:
        """A frame from a socket message, checked for kind and size before parsing."""
        if text is None:
            raise FrameError("invalid_frame", "binary frames are not supported; send JSON text")
        limit = self._settings.max_frame_bytes
        if len(text) > limit:
            raise FrameError(
                "frame_too_large", f"frame is {len(text)} characters; the limit is {limit}"
            )
        return parse_frame(text, max_text_length=self._settings.max_text_length)

    async def _handle(self, frame: ClientFrame, commands: SessionCommands) -> None:
        """Carry out the frame; send its control answer, or follow the accepted message."""
        with self._hub.handling(self._session_id):
            answer = await commands.handle(frame, joined=self._feed is not None)
            if isinstance(answer, str):
                self._outbox.put(answer)
            elif answer is not None:
                self._follow(answer)

    def _follow(self, accepted: Accepted) -> None:
        """Send the message's `message.accepted` early and follow the session's stream."""
        frame = None
        if accepted.event is not None and accepted.offset is not None:
            frame = self._hub.frame(self._session_id, accepted.offset, accepted.event)
            self._accepted = frame
            self._wake.set()
        if self._feed is None:
            self._join(self._user_id, accepted.offset or 0)
        else:
            if frame is not None:
                self._hub.accepted(self._session_id, frame)
            self._hub.resumed(self._session_id)


def _after(raw: str | None) -> tuple[int, FrameError | None]:
    """`after` as an offset; a malformed one replays everything (nothing is lost)."""
    if raw is None:
        return 0, None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        return 0, FrameError("invalid_frame", "after must be a non-negative integer; replaying all")
    return value, None
