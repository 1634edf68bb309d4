"""The worker's wiring: the agents read its catalog (a plugin module's intents reach the
LLM's tools and the approvals stamped on plans as they reach REST, for every backend),
and its activity slots leave room for eager dispatch."""

import pytest

from activities.catalog import default_catalog
from settings import Settings
from worker import activity_slots, backend_for


@pytest.mark.parametrize("analyzer", ["keyword", "classifier", "llm"])
def test_a_plugin_intent_reaches_the_agents(analyzer: str) -> None:
    catalog = default_catalog(["tests.fault_realm"])
    settings = Settings(analyzer=analyzer, llm_base_url="http://127.0.0.1:9/v1")
    backend = backend_for(settings, catalog)
    assert backend.liaisons.catalog is catalog
    assert backend.liaisons.catalog.entry("test_gated").needs_approval


def test_open_polls_leave_an_activity_slot_free_for_eager_dispatch() -> None:
    """A workflow task hands its realm step to the worker directly only while a slot is
    free; polls holding every slot sent each step through matching (~6 ms more)."""
    slots, polls = activity_slots(Settings())
    assert polls < slots
