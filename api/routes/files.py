"""`POST /api/files`: uploads go to the content store, never into Temporal."""

from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, UploadFile

from api.deps import StoreDep, UserDep
from models.files import FileRef
from storage.files import FileTooLarge

router = APIRouter()
_CHUNK = 1024 * 1024
_TEXTUAL = ("text/", "application/json", "application/x-ndjson", "application/jsonl")


@router.post("/api/files")
async def upload(file: UploadFile, store: StoreDep, user: UserDep) -> FileRef:
    """Store the file for the caller; its id is what messages and intents carry.

    Empty files (400), files over the limit (413) and binary content declared as text
    (415) are refused before anything is kept.
    """
    first = await file.read(_CHUNK)
    if not first:
        raise HTTPException(status_code=400, detail="the file is empty")
    declared = (file.content_type or "").lower()
    if declared.startswith(_TEXTUAL) and b"\x00" in first:
        raise HTTPException(
            status_code=415, detail=f"the file is declared {declared} but its content is binary"
        )
    try:
        return await store.save(user, file.filename or "upload", declared, _chunks(first, file))
    except FileTooLarge as err:
        raise HTTPException(status_code=413, detail=str(err)) from err


async def _chunks(first: bytes, file: UploadFile) -> AsyncIterator[bytes]:
    yield first
    while chunk := await file.read(_CHUNK):
        yield chunk
