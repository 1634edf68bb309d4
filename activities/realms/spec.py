"""An intent's catalog entry bound to the handler that carries it out (worker side).

Realm modules build their `INTENTS` from these; the registry collects them. Kept apart
from the registry so realm modules never import it back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from activities.catalog import CatalogEntry
from activities.realms.context import RealmContext

Handler = Callable[[RealmContext, Any], BaseModel]


@dataclass(frozen=True)
class IntentSpec:
    """A catalog entry with the handler that runs it."""

    entry: CatalogEntry
    handler: Handler
