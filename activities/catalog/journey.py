"""The Journey realm's intents: procedures in, workflows out."""

from pydantic import BaseModel, model_validator

from activities.catalog import CatalogEntry
from models.intents import Realm


class CreateWorkflowFromSopParams(BaseModel):
    file_id: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "CreateWorkflowFromSopParams":
        if (self.file_id is None) == (self.text is None or not self.text.strip()):
            raise ValueError("give exactly one of file_id or text")
        return self


CREATE_WORKFLOW_FROM_SOP = CatalogEntry(
    "create_workflow_from_sop",
    Realm.JOURNEY,
    "Turn a standard operating procedure (a file or pasted text) into a workflow.",
    CreateWorkflowFromSopParams,
    file_kinds=frozenset({"text"}),
)
ENTRIES = [CREATE_WORKFLOW_FROM_SOP]
