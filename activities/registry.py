"""The Intent Registry: each catalog entry with its handler, for the worker only.

The Runtime validates every intent against the catalog (`activities/catalog/`) before
anything executes; the registry adds the code that runs it. Adding an intent means a
catalog entry and an `IntentSpec` in its realm module's `INTENTS`.
"""

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from activities.catalog import Catalog
from activities.realms.spec import IntentSpec
from models.execution import ValidatedIntent
from models.intents import Intent

if TYPE_CHECKING:
    from activities.realms.query import QueryLimits


class IntentRegistry:
    """Looks handlers up and validates intents; built once per worker."""

    def __init__(self, specs: Iterable[IntentSpec]) -> None:
        specs = list(specs)
        self.catalog = Catalog(spec.entry for spec in specs)
        self._specs = {spec.entry.name: spec for spec in specs}

    def spec(self, name: str) -> IntentSpec:
        """The spec of `name`, or `UnknownIntent`."""
        return self._specs[self.catalog.entry(name).name]

    def names(self) -> list[str]:
        """Every registered intent name, sorted."""
        return self.catalog.names()

    def validate(self, intent: Intent) -> ValidatedIntent:
        """Check an intent against its catalog entry."""
        return self.catalog.validate(intent)


def default_registry(
    extra_modules: Iterable[str] = (), query_limits: "QueryLimits | None" = None
) -> IntentRegistry:
    """Every realm's intents, plus those of any configured plugin modules.

    `query_limits` bound query_data (the worker passes the settings' values). The realm
    modules load here, not at import, so a process that only validates never pays for
    their dataframe libraries.
    """
    from activities.realms import content, insights, journey, query

    queries = query.intents(query_limits) if query_limits else query.INTENTS
    specs = [*content.INTENTS, *insights.INTENTS, *queries, *journey.INTENTS]
    for name in extra_modules:
        specs.extend(importlib.import_module(name).INTENTS)
    return IntentRegistry(specs)
