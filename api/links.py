"""Links into the Temporal UI, where people read an execution's history."""

from models.search import execution_workflow_id
from settings import Settings


def execution_link(settings: Settings, execution_id: str) -> str:
    """The execution's workflow page in the Temporal UI."""
    base = settings.temporal_ui_url.rstrip("/")
    workflow_id = execution_workflow_id(execution_id)
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"
