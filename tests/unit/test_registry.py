"""Unit tests of the Intent Registry: the Runtime's gate before anything executes."""

import pytest
from pydantic import BaseModel

from activities.registry import (
    IntentRegistry,
    IntentSpec,
    InvalidParams,
    UnknownIntent,
    default_registry,
)
from models.intents import Intent, Realm


class _Params(BaseModel):
    n: int


def _spec(name: str = "count") -> IntentSpec:
    return IntentSpec(
        name=name, realm=Realm.CONTENT, params=_Params, handler=lambda ctx, p: p, description="x"
    )


def test_validate_normalizes_realm_and_params() -> None:
    validated = IntentRegistry([_spec()]).validate(Intent(name="count", params={"n": "3"}))
    assert (validated.realm, validated.params) == (Realm.CONTENT, {"n": 3})


def test_unknown_intent() -> None:
    with pytest.raises(UnknownIntent):
        IntentRegistry([_spec()]).validate(Intent(name="launch_rockets"))


def test_bad_params_name_the_field() -> None:
    with pytest.raises(InvalidParams) as err:
        IntentRegistry([_spec()]).validate(Intent(name="count", params={"n": "many"}))
    assert err.value.errors[0]["loc"] == ["n"]


def test_wrong_realm_is_refused() -> None:
    with pytest.raises(InvalidParams):
        IntentRegistry([_spec()]).validate(
            Intent(name="count", realm=Realm.JOURNEY, params={"n": 1})
        )


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        IntentRegistry([_spec(), _spec()])


def test_the_production_registry_covers_every_pillar() -> None:
    registry = default_registry()
    assert {
        "ingest_file",
        "describe_file",
        "list_files",
        "profile_data",
        "generate_insights",
        "compare_data_quality",
        "create_workflow_from_sop",
    } <= set(registry.names())
    assert {registry.spec(n).realm for n in registry.names()} == set(Realm)
