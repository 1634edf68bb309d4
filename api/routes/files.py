"""`POST /api/files`: uploads stream into the content store, never into Temporal.

The body is parsed as it arrives (python-multipart's streaming parser) and the file's
bytes go straight into the store's reserved temp file: nothing is spooled elsewhere, a
declared size over the limit or the quota is refused before a byte is read, and a body
that runs past the limit is stopped where it crosses it.
"""

from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, HTTPException, Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from activities.realms.reading.encoding import looks_binary
from api.deps import SettingsDep, StoreDep, UserDep
from models.files import FileRef
from storage.files import FileStore, FileTooLarge, Reservation, TooManyUploads

router = APIRouter()
SNIFF = 64 * 1024
"""Bytes looked at before accepting content declared as text."""
ENVELOPE = 64 * 1024
"""Room for the multipart envelope around the file (boundaries, part headers, fields)."""
RETRY_UPLOAD_SECONDS = 5
_TEXTUAL = ("text/", "application/json", "application/x-ndjson", "application/jsonl")
_CLOSE = {"Connection": "close"}
"""Refusals close the connection, so the rest of a refused body is not read in vain."""


@router.post("/api/files")
async def upload(
    request: Request, store: StoreDep, user: UserDep, settings: SettingsDep
) -> FileRef:
    """Store the file of the `file` field for the caller; its id is what messages and
    intents carry.

    Over the size limit or the caller's quota: 413 (by Content-Length at once, else
    where the body crosses it); too many uploads at once: 429; empty: 400; binary
    content declared as text: 415. Nothing is kept from a refused upload.
    """
    limit = settings.max_upload_bytes
    declared = _declared_length(request)
    try:
        if declared is not None and declared > limit + ENVELOPE:
            raise FileTooLarge(f"the upload is larger than the {limit} byte limit")
        wanted = None if declared is None else min(declared, limit)
        async with store.reserve(user, wanted) as room:
            body = MultipartFile(request, max_body=limit + ENVELOPE)
            return await _store(body, store, user, room)
    except FileTooLarge as err:
        raise HTTPException(status_code=413, detail=str(err), headers=_CLOSE) from err
    except TooManyUploads as err:
        retry = {**_CLOSE, "Retry-After": str(RETRY_UPLOAD_SECONDS)}
        raise HTTPException(status_code=429, detail=str(err), headers=retry) from err


async def _store(body: "MultipartFile", store: FileStore, user: str, room: Reservation) -> FileRef:
    await body.open()
    first = await body.read_at_least(SNIFF)
    if not first:
        raise HTTPException(status_code=400, detail="the file is empty")
    kind = body.content_type.lower()
    if kind.startswith(_TEXTUAL) and looks_binary(first):  # UTF-16 text (Excel) has NULs
        raise HTTPException(
            status_code=415, detail=f"the file is declared {kind} but its content is binary"
        )
    return await store.save(user, body.filename, kind, body.rest(first), room)


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise HTTPException(status_code=400, detail="Content-Length is not a number")
    return int(raw)


class MultipartFile:
    """The first `file` field of a multipart body, read as the body arrives.

    The parser's callbacks collect the field's bytes; `rest()` hands them on piece by
    piece, so at most one received chunk is held in memory.
    """

    def __init__(self, request: Request, *, max_body: int) -> None:
        kind, params = parse_options_header(request.headers.get("content-type"))
        if kind != b"multipart/form-data" or not params.get(b"boundary"):
            raise HTTPException(status_code=400, detail="send the file as multipart/form-data")
        self.filename = "upload"
        self.content_type = ""
        self._stream = request.stream()
        self._max_body = max_body
        self._received = 0
        self._headers: dict[bytes, bytes] = {}
        self._header = [b"", b""]
        self._state = "before"
        """before the file field, in it, or after it."""
        self._data: list[bytes] = []
        self._parser = MultipartParser(
            params[b"boundary"],
            callbacks={
                "on_part_begin": self._headers.clear,
                "on_header_field": self._header_part(0),
                "on_header_value": self._header_part(1),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    async def open(self) -> None:
        """Read until the file field's headers (400 when the body has none)."""
        while self._state == "before":
            if not await self._feed():
                raise HTTPException(status_code=400, detail="the body has no `file` field")

    async def read_at_least(self, size: int) -> bytes:
        """The file's next `size` bytes, or fewer when it ends first."""
        pieces = [self._take()]
        held = len(pieces[0])
        while held < size and self._state == "in" and await self._feed():
            pieces.append(self._take())
            held += len(pieces[-1])
        return b"".join(pieces)

    async def rest(self, first: bytes) -> AsyncIterator[bytes]:
        """`first`, then the file's bytes as they arrive (400 if the body stops early)."""
        yield first
        while self._state == "in" and await self._feed():
            if piece := self._take():
                yield piece
        if piece := self._take():
            yield piece
        if self._state != "after":
            raise HTTPException(status_code=400, detail="the body ended inside the file")

    async def _feed(self) -> bool:
        """One more received chunk through the parser; False at the end of the body."""
        try:
            chunk = await anext(self._stream)
        except StopAsyncIteration:
            return False
        self._received += len(chunk)
        if self._received > self._max_body:
            raise FileTooLarge(f"the upload is larger than the {self._max_body} byte limit")
        try:
            self._parser.write(chunk)
        except MultipartParseError as err:
            raise HTTPException(status_code=400, detail=f"malformed multipart body: {err}") from err
        return True

    def _take(self) -> bytes:
        data = b"".join(self._data)
        self._data.clear()
        return data

    def _header_part(self, index: int) -> Callable[[bytes, int, int], None]:
        def collect(data: bytes, start: int, end: int) -> None:
            self._header[index] += data[start:end]

        return collect

    def _header_end(self) -> None:
        self._headers[self._header[0].strip().lower()] = self._header[1].strip()
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, disposition = parse_options_header(self._headers.get(b"content-disposition"))
        if self._state == "before" and disposition.get(b"name") == b"file":
            self._state = "in"
            self.filename = disposition.get(b"filename", b"upload").decode("utf-8", "replace")
            self.content_type = self._headers.get(b"content-type", b"").decode("latin-1")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._state == "in":
            self._data.append(data[start:end])

    def _part_end(self) -> None:
        if self._state == "in":
            self._state = "after"
