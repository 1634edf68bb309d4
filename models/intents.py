"""Intents: what agents recommend and what the Runtime executes."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Realm(StrEnum):
    """The Runtime's realms, one per pillar."""

    CONTENT = "content"
    INSIGHTS = "insights"
    JOURNEY = "journey"


class Intent(BaseModel):
    """A request for the Runtime: a registry name, its realm and its parameters."""

    name: str
    realm: Realm | None = None
    params: dict[str, Any] = Field(default_factory=dict)
