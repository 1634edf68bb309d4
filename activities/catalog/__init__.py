"""The Runtime's intent catalog: what each intent is, without the code that runs it.

An entry names an intent, its realm, what it does, its params model (and so its JSON
schema), whether it waits for the user's approval and which kinds of file it takes. The
catalog modules hold no handler code and import no dataframe library, so the API, the
conversation's agents and the LLM's tools read them cheaply; the Intent Registry
(`activities/registry.py`, worker only) binds each entry to its handler.
"""

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from models.execution import ValidatedIntent
from models.files import FileKind as FileKind
from models.intents import Intent, Realm

REALM_CATALOGS = (
    "activities.catalog.content",
    "activities.catalog.insights",
    "activities.catalog.query",
    "activities.catalog.journey",
)


class UnknownIntent(LookupError):
    """The catalog has no intent of that name."""


class InvalidParams(ValueError):
    """The params do not fit the intent's model; `errors` says which fields."""

    def __init__(self, name: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"invalid params for {name}: {errors}")
        self.name = name
        self.errors = errors


@dataclass(frozen=True)
class CatalogEntry:
    """One intent the Runtime offers, with the time its work may take.

    `start_to_close` bounds one attempt, `schedule_to_close` all attempts together;
    past either the user sees `execution.failed` with `type: timeout`. `file_kinds`
    says which of the user's files the intent's file params take.
    """

    name: str
    realm: Realm
    description: str
    params: type[BaseModel]
    needs_approval: bool = False
    file_kinds: frozenset[FileKind] = frozenset()
    start_to_close: timedelta = timedelta(minutes=10)
    schedule_to_close: timedelta = timedelta(minutes=30)

    def schema(self) -> dict[str, Any]:
        """The params' JSON schema: what an LLM tool or a client form is built from."""
        return self.params.model_json_schema()


class Catalog:
    """Looks intents up and validates them; built once per process."""

    def __init__(self, entries: Iterable[CatalogEntry]) -> None:
        self._entries: dict[str, CatalogEntry] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"intent {entry.name} is in the catalog twice")
            self._entries[entry.name] = entry

    def entry(self, name: str) -> CatalogEntry:
        """The entry of `name`, or `UnknownIntent`."""
        try:
            return self._entries[name]
        except KeyError as err:
            raise UnknownIntent(f"unknown intent {name!r}") from err

    def names(self) -> list[str]:
        """Every intent name, sorted."""
        return sorted(self._entries)

    def in_realm(self, realm: Realm) -> list[CatalogEntry]:
        """A realm's intents, in the order its catalog module lists them."""
        return [entry for entry in self._entries.values() if entry.realm is realm]

    def needs_approval(self, name: str) -> bool:
        """Whether `name` waits for the user's approval (an unknown name does not)."""
        entry = self._entries.get(name)
        return entry is not None and entry.needs_approval

    def validate(self, intent: Intent) -> ValidatedIntent:
        """Check an intent against its entry; realm and params come back normalized."""
        entry = self.entry(intent.name)
        if intent.realm is not None and intent.realm != entry.realm:
            raise InvalidParams(
                intent.name,
                [{"loc": ["realm"], "msg": f"{intent.name} runs in the {entry.realm} realm"}],
            )
        try:
            params = entry.params.model_validate(intent.params)
        except ValidationError as err:
            raise InvalidParams(intent.name, _plain_errors(err)) from err
        return ValidatedIntent(
            name=entry.name,
            realm=entry.realm,
            params=params.model_dump(),
            start_to_close=entry.start_to_close,
            schedule_to_close=entry.schedule_to_close,
            needs_approval=entry.needs_approval,
        )


def _plain_errors(err: ValidationError) -> list[dict[str, Any]]:
    """Field errors without the input echoed back (it may be large or private)."""
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in err.errors()]


def default_catalog(extra_modules: Iterable[str] = ()) -> Catalog:
    """Every realm's entries (`ENTRIES`), plus those of plugin modules (`CATALOG`)."""
    entries = [e for name in REALM_CATALOGS for e in importlib.import_module(name).ENTRIES]
    for name in extra_modules:
        entries.extend(importlib.import_module(name).CATALOG)
    return Catalog(entries)
