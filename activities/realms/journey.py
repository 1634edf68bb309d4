"""Journey realm: standard operating procedures in, workflow definitions out."""

from pydantic import BaseModel, model_validator

from activities.realms.context import RealmContext
from activities.registry import IntentSpec
from models.intents import Realm


class CreateWorkflowFromSopParams(BaseModel):
    file_id: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "CreateWorkflowFromSopParams":
        if (self.file_id is None) == (self.text is None or not self.text.strip()):
            raise ValueError("give exactly one of file_id or text")
        return self
