"""`GET /api/sessions/{id}`: the session's turns, executions, files and next offset."""

from fastapi import APIRouter, HTTPException

from api.deps import ConversationsDep, UserDep
from models.conversation import SessionInfo
from models.search import is_server_id

router = APIRouter()


@router.get("/api/sessions/{session_id}")
async def get_session(
    session_id: str, conversations: ConversationsDep, user: UserDep
) -> SessionInfo:
    """A stranger's session is as unknown as a missing one."""
    info = await conversations.info(session_id) if is_server_id(session_id) else None
    if info is None or info.user_id != user:
        raise HTTPException(status_code=404, detail="unknown session")
    return info
