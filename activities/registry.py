"""The Intent Registry: intent name -> realm, params model, handler.

The Runtime validates every intent here before anything executes. Adding an intent
means adding an `IntentSpec` to one realm module's `INTENTS`.
"""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from activities.realms.context import RealmContext
from models.execution import ValidatedIntent
from models.intents import Intent, Realm

if TYPE_CHECKING:
    from activities.realms.query import QueryLimits

Handler = Callable[[RealmContext, Any], BaseModel]


class UnknownIntent(LookupError):
    """The registry has no intent of that name."""


class InvalidParams(ValueError):
    """The params do not fit the intent's model; `errors` says which fields."""

    def __init__(self, name: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"invalid params for {name}: {errors}")
        self.name = name
        self.errors = errors


@dataclass(frozen=True)
class IntentSpec:
    """One intent the Runtime can execute, with the time its work may take.

    `start_to_close` bounds one attempt, `schedule_to_close` all attempts together;
    past either the user sees `execution.failed` with `type: timeout`.
    """

    name: str
    realm: Realm
    params: type[BaseModel]
    handler: Handler
    description: str
    needs_approval: bool = False
    start_to_close: timedelta = timedelta(minutes=10)
    schedule_to_close: timedelta = timedelta(minutes=30)


class IntentRegistry:
    """Looks intents up and validates them; built once per process."""

    def __init__(self, specs: Iterable[IntentSpec]) -> None:
        self._specs: dict[str, IntentSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"intent {spec.name} registered twice")
            self._specs[spec.name] = spec

    def spec(self, name: str) -> IntentSpec:
        """The spec of `name`, or `UnknownIntent`."""
        try:
            return self._specs[name]
        except KeyError as err:
            raise UnknownIntent(f"unknown intent {name!r}") from err

    def names(self) -> list[str]:
        """Every registered intent name, sorted."""
        return sorted(self._specs)

    def validate(self, intent: Intent) -> ValidatedIntent:
        """Check an intent against its spec; realm and params come back normalized."""
        spec = self.spec(intent.name)
        if intent.realm is not None and intent.realm != spec.realm:
            raise InvalidParams(
                intent.name,
                [{"loc": ["realm"], "msg": f"{intent.name} runs in the {spec.realm} realm"}],
            )
        try:
            params = spec.params.model_validate(intent.params)
        except ValidationError as err:
            raise InvalidParams(intent.name, _plain_errors(err)) from err
        return ValidatedIntent(
            name=spec.name,
            realm=spec.realm,
            params=params.model_dump(),
            start_to_close=spec.start_to_close,
            schedule_to_close=spec.schedule_to_close,
            needs_approval=spec.needs_approval,
        )


def _plain_errors(err: ValidationError) -> list[dict[str, Any]]:
    """Field errors without the input echoed back (it may be large or private)."""
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in err.errors()]


def default_registry(
    extra_modules: Iterable[str] = (), query_limits: "QueryLimits | None" = None
) -> IntentRegistry:
    """Every realm's intents, plus those of any configured plugin modules.

    `query_limits` bound query_data (the worker passes the settings' values).
    """
    from activities.realms import content, insights, journey, query

    queries = query.intents(query_limits) if query_limits else query.INTENTS
    specs = [*content.INTENTS, *insights.INTENTS, *queries, *journey.INTENTS]
    for name in extra_modules:
        specs.extend(importlib.import_module(name).INTENTS)
    return IntentRegistry(specs)
