"""Links into the Temporal UI, where people read an execution's history."""

from models.search import execution_workflow_id, session_workflow_id
from settings import Settings


def execution_link(settings: Settings, execution_id: str) -> str:
    """The execution's workflow page in the Temporal UI."""
    return _workflow_link(settings, execution_workflow_id(execution_id))


def session_link(settings: Settings, session_id: str) -> str:
    """The session's workflow page in the Temporal UI."""
    return _workflow_link(settings, session_workflow_id(session_id))


def _workflow_link(settings: Settings, workflow_id: str) -> str:
    base = settings.temporal_ui_url.rstrip("/")
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"
