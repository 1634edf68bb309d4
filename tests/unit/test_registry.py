"""The intent catalog and the Intent Registry: the Runtime's gate before anything executes."""

import pytest
from pydantic import BaseModel

from activities.catalog import (
    Catalog,
    CatalogEntry,
    InvalidParams,
    UnknownIntent,
    default_catalog,
)
from activities.realms.spec import IntentSpec
from activities.registry import IntentRegistry, default_registry
from models.intents import Intent, Realm


class _Params(BaseModel):
    n: int


def _entry(name: str = "count", needs_approval: bool = False) -> CatalogEntry:
    return CatalogEntry(name, Realm.CONTENT, "x", _Params, needs_approval=needs_approval)


def test_validate_normalizes_realm_and_params() -> None:
    validated = Catalog([_entry()]).validate(Intent(name="count", params={"n": "3"}))
    assert (validated.realm, validated.params) == (Realm.CONTENT, {"n": 3})


def test_unknown_intent() -> None:
    with pytest.raises(UnknownIntent):
        Catalog([_entry()]).validate(Intent(name="launch_rockets"))


def test_bad_params_name_the_field() -> None:
    with pytest.raises(InvalidParams) as err:
        Catalog([_entry()]).validate(Intent(name="count", params={"n": "many"}))
    assert err.value.errors[0]["loc"] == ["n"]


def test_wrong_realm_is_refused() -> None:
    with pytest.raises(InvalidParams):
        Catalog([_entry()]).validate(Intent(name="count", realm=Realm.JOURNEY, params={"n": 1}))


def test_duplicate_names_are_refused_in_the_catalog_and_the_registry() -> None:
    with pytest.raises(ValueError, match="twice"):
        Catalog([_entry(), _entry()])
    spec = IntentSpec(_entry(), lambda ctx, params: params)
    with pytest.raises(ValueError, match="twice"):
        IntentRegistry([spec, spec])


def test_approval_comes_from_the_entry() -> None:
    catalog = Catalog([_entry(), _entry("launch", needs_approval=True)])
    assert [catalog.needs_approval(n) for n in ("count", "launch", "unknown")] == [
        False,
        True,
        False,
    ]


def test_the_catalog_covers_every_pillar_with_schemas_and_words() -> None:
    catalog = default_catalog()
    assert {
        "ingest_file",
        "describe_file",
        "list_files",
        "profile_data",
        "generate_insights",
        "compare_data_quality",
        "create_workflow_from_sop",
    } <= set(catalog.names())
    entries = [catalog.entry(n) for n in catalog.names()]
    assert {entry.realm for entry in entries} == set(Realm)
    for entry in entries:
        assert entry.description.endswith(".")
        assert entry.schema()["type"] == "object"
        assert entry.file_kinds


def test_the_registry_has_a_handler_for_every_catalog_entry() -> None:
    registry = default_registry()
    assert registry.names() == default_catalog().names()
    for name in registry.names():
        assert registry.spec(name).entry is default_catalog().entry(name)
