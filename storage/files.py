"""A content-addressed file store behind a small interface.

Bytes are kept once per sha256 under ``blobs/``; each upload gets its own record
(owner, name, type) under ``records/``. Only references travel through Temporal.
An S3-compatible store implements the same `FileStore` protocol.
"""

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from models.files import KIND_HEAD_BYTES, FileRef, file_kind
from models.search import is_server_id


class UnknownFile(LookupError):
    """No such file for this user (another user's file is unknown too)."""


class FileTooLarge(ValueError):
    """The upload went over the configured limit or the user's quota; nothing was kept."""


class TooManyUploads(RuntimeError):
    """The user already has the maximum number of uploads in progress."""


class StoredFile(BaseModel):
    """A file's record: the public reference plus its owner."""

    ref: FileRef
    owner: str


@dataclass
class Reservation:
    """Room for one upload: its temp file (locked while the upload lives) and how many
    bytes it may hold."""

    path: Path
    limit: int


class FileStore(Protocol):
    """What the API and the realms need from a store of files."""

    def reserve(
        self, owner: str, declared: int | None
    ) -> contextlib.AbstractAsyncContextManager[Reservation]: ...

    async def save(
        self,
        owner: str,
        name: str,
        content_type: str,
        chunks: AsyncIterator[bytes],
        reservation: Reservation | None = None,
    ) -> FileRef: ...

    def get(self, owner: str, file_id: str) -> FileRef: ...

    def local_path(self, ref: FileRef) -> Path: ...


class LocalFileStore:
    """The default store: a folder under the data dir, shared by every API process.

    Per user it keeps a ledger of sizes (``owners/<user key>/<file_id>.<size>``) for the
    quota, and one locked temp file per upload in progress
    (``incoming/<user key>/<id>.<reserved bytes>``). A lock dies with its process, so a
    temp file nobody holds is a crashed upload's and is removed; what is counted is what
    all processes hold right now, without a lock server.
    """

    def __init__(
        self,
        root: Path,
        max_bytes: int,
        *,
        quota_bytes: int | None = None,
        max_concurrent: int | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._quota = quota_bytes
        self._max_concurrent = max_concurrent
        self._blobs = root / "blobs"
        self._records = root / "records"
        self._incoming = root / "incoming"
        self._owners = root / "owners"
        for folder in (self._blobs, self._records, self._incoming, self._owners):
            folder.mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def reserve(self, owner: str, declared: int | None) -> AsyncIterator[Reservation]:
        """Hold room for an upload of `declared` bytes (the size limit when unknown).

        `FileTooLarge` when it cannot fit the limit or the owner's quota, `TooManyUploads`
        over the concurrent cap; either way nothing is left behind.
        """
        wanted = self._max_bytes if declared is None else declared
        if wanted > self._max_bytes:
            raise FileTooLarge(f"the file is larger than the {self._max_bytes} byte upload limit")
        folder = self._incoming / _owner_key(owner)
        folder.mkdir(exist_ok=True)
        name = f"{uuid.uuid4().hex}.{wanted}"
        path = folder / name
        fd = _locked_file(folder / f".{name}", path)
        try:
            await asyncio.to_thread(self._check_room, owner, folder)
            yield Reservation(path, wanted)
        finally:
            path.unlink(missing_ok=True)
            os.close(fd)

    def _check_room(self, owner: str, folder: Path) -> None:
        """Count every live upload of the owner (this one included) against the caps."""
        live = _live_reservations(folder)
        if self._max_concurrent is not None and len(live) > self._max_concurrent:
            raise TooManyUploads(
                f"{len(live) - 1} uploads are already in progress; "
                f"at most {self._max_concurrent} at once, try again when one finishes"
            )
        if self._quota is None:
            return
        used = self.usage(owner)
        if used + sum(live) > self._quota:
            raise FileTooLarge(
                f"storage quota exceeded: {used} of {self._quota} bytes used; "
                "delete files or ask for a larger quota"
            )

    def usage(self, owner: str) -> int:
        """Bytes of the owner's stored files (uploads in progress not included)."""
        try:
            entries = os.scandir(self._owners / _owner_key(owner))
        except FileNotFoundError:
            return 0
        with entries:
            return sum(int(entry.name.rsplit(".", 1)[1]) for entry in entries)

    async def save(
        self,
        owner: str,
        name: str,
        content_type: str,
        chunks: AsyncIterator[bytes],
        reservation: Reservation | None = None,
    ) -> FileRef:
        """Stream into the reserved temp file while hashing, stop at its limit, then
        move it into place atomically. Without a reservation, one is made here.

        Blocking file calls run in a thread so one upload never stalls the event loop.
        """
        if reservation is None:
            async with self.reserve(owner, None) as fresh:
                return await self.save(owner, name, content_type, chunks, fresh)
        digest = hashlib.sha256()
        size = 0
        head = b""
        with reservation.path.open("wb") as out:
            async for chunk in chunks:
                if len(head) < KIND_HEAD_BYTES:
                    head += chunk[: KIND_HEAD_BYTES - len(head)]
                size += len(chunk)
                if size > reservation.limit:
                    raise FileTooLarge(
                        f"the file is larger than the {reservation.limit} byte upload limit"
                    )
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        ref = FileRef(
            file_id=uuid.uuid4().hex,
            name=safe_name(name),
            size=size,
            sha256=digest.hexdigest(),
            content_type=content_type or "application/octet-stream",
            kind=file_kind(name, head),
        )
        await asyncio.to_thread(self._keep, reservation.path, StoredFile(ref=ref, owner=owner))
        return ref

    def _keep(self, tmp: Path, record: StoredFile) -> None:
        """Blob first, record second: a record never points at missing bytes."""
        blob = self._blob_path(record.ref.sha256)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, blob)
        self._record_path(record.ref.file_id).write_text(record.model_dump_json())
        ledger = self._owners / _owner_key(record.owner)
        ledger.mkdir(exist_ok=True)
        (ledger / f"{record.ref.file_id}.{record.ref.size}").touch()

    def get(self, owner: str, file_id: str) -> FileRef:
        """The caller's file, or `UnknownFile` (for a missing id and for a stranger's)."""
        if not is_server_id(file_id):
            raise UnknownFile(file_id)
        try:
            record = StoredFile.model_validate(json.loads(self._record_path(file_id).read_text()))
        except FileNotFoundError as err:
            raise UnknownFile(file_id) from err
        if record.owner != owner:
            raise UnknownFile(file_id)
        return record.ref

    def local_path(self, ref: FileRef) -> Path:
        """Where the bytes of a file can be read."""
        return self._blob_path(ref.sha256)

    def _blob_path(self, sha: str) -> Path:
        return self._blobs / sha[:2] / sha

    def _record_path(self, file_id: str) -> Path:
        return self._records / f"{file_id}.json"


def safe_name(name: str) -> str:
    """Keep only the last path component, so a name can never point outside the store."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else "upload"


def _owner_key(owner: str) -> str:
    """A folder name for any user id (ids may hold "/" or anything else)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:32]


def _locked_file(hidden: Path, path: Path) -> int:
    """A file at `path` that is locked from the moment it is visible there (made under a
    hidden name, locked, then renamed: the lock goes with it)."""
    fd = os.open(hidden, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(hidden, path)
    return fd


def _live_reservations(folder: Path) -> list[int]:
    """Reserved bytes of each upload in progress; removes the files of dead ones."""
    live = []
    for entry in os.scandir(folder):
        if entry.name.startswith("."):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            live.append(int(entry.name.rsplit(".", 1)[1]))
        else:
            os.unlink(entry.path)
        finally:
            os.close(fd)
    return live
