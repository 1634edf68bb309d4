"""References to stored files: what travels through Temporal instead of bytes."""

from pydantic import BaseModel


class FileRef(BaseModel):
    """A stored file as the contract shows it (`POST /api/files`)."""

    file_id: str
    name: str
    size: int
    sha256: str
    content_type: str
