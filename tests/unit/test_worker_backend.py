"""The agents read the worker's catalog: a plugin module's intents reach them (the LLM's
tools, the approvals stamped on plans) as they reach REST, for every backend."""

import pytest

from activities.catalog import default_catalog
from settings import Settings
from worker import backend_for


@pytest.mark.parametrize("analyzer", ["keyword", "classifier", "llm"])
def test_a_plugin_intent_reaches_the_agents(analyzer: str) -> None:
    catalog = default_catalog(["tests.fault_realm"])
    settings = Settings(analyzer=analyzer, llm_base_url="http://127.0.0.1:9/v1")
    backend = backend_for(settings, catalog)
    assert backend.liaisons.catalog is catalog
    assert backend.liaisons.catalog.entry("test_gated").needs_approval
