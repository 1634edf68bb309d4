"""A content-addressed file store behind a small interface.

Bytes are kept once per sha256 under ``blobs/``; each upload gets its own record
(owner, name, type) under ``records/``. Only references travel through Temporal.
An S3-compatible store implements the same `FileStore` protocol.
"""

import asyncio
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from models.files import FileRef


class UnknownFile(LookupError):
    """No such file for this user (another user's file is unknown too)."""


class FileTooLarge(ValueError):
    """The upload went over the configured limit; nothing was kept."""


class StoredFile(BaseModel):
    """A file's record: the public reference plus its owner."""

    ref: FileRef
    owner: str


class FileStore(Protocol):
    """What the API and the realms need from a store of files."""

    async def save(
        self, owner: str, name: str, content_type: str, chunks: AsyncIterator[bytes]
    ) -> FileRef: ...

    def get(self, owner: str, file_id: str) -> FileRef: ...

    def local_path(self, ref: FileRef) -> Path: ...


class LocalFileStore:
    """The default store: a folder under the data dir."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self._root = root
        self._max_bytes = max_bytes
        self._blobs = root / "blobs"
        self._records = root / "records"
        self._incoming = root / "incoming"
        for folder in (self._blobs, self._records, self._incoming):
            folder.mkdir(parents=True, exist_ok=True)

    async def save(
        self, owner: str, name: str, content_type: str, chunks: AsyncIterator[bytes]
    ) -> FileRef:
        """Stream to a temp file while hashing, then move it into place atomically.

        Blocking file calls run in a thread so one upload never stalls the event loop.
        """
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._incoming)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise FileTooLarge(f"file is larger than the {self._max_bytes} byte limit")
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
            ref = FileRef(
                file_id=uuid.uuid4().hex,
                name=safe_name(name),
                size=size,
                sha256=digest.hexdigest(),
                content_type=content_type or "application/octet-stream",
            )
            await asyncio.to_thread(self._keep, tmp, StoredFile(ref=ref, owner=owner))
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)
        return ref

    def _keep(self, tmp: Path, record: StoredFile) -> None:
        """Blob first, record second: a record never points at missing bytes."""
        blob = self._blob_path(record.ref.sha256)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, blob)
        self._record_path(record.ref.file_id).write_text(record.model_dump_json())

    def get(self, owner: str, file_id: str) -> FileRef:
        """The caller's file, or `UnknownFile` (for a missing id and for a stranger's)."""
        if not _is_hex_id(file_id):
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


def _is_hex_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
