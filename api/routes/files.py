"""`POST /api/files`: uploads go to the content store, never into Temporal."""

from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, UploadFile

from api.deps import StoreDep, UserDep
from models.files import FileRef
from storage.files import FileTooLarge

router = APIRouter()
_CHUNK = 1024 * 1024


@router.post("/api/files")
async def upload(file: UploadFile, store: StoreDep, user: UserDep) -> FileRef:
    """Store the file for the caller; its id is what messages and intents carry."""
    try:
        return await store.save(
            user, file.filename or "upload", file.content_type or "", _chunks(file)
        )
    except FileTooLarge as err:
        raise HTTPException(status_code=413, detail=str(err)) from err


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(_CHUNK):
        yield chunk
