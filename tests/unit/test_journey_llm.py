"""The model reads SOPs into the same graph (an OpenAI-compatible server with recorded
answers, over real HTTP); whatever it cannot do, the offline reader does, and says so."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import OpenAI

import launcher
from activities.catalog.journey import CreateWorkflowFromSopParams
from activities.realms.journey import create_workflow_from_sop
from activities.realms.sop.llm import SopModel
from settings import Settings
from tests import openai_stub
from tests.realm_files import Files
from worker import sop_model_for

SOP = "1. The clerk receives the claim.\n2. If it is valid, the manager pays it.\n"
GRAPH = {
    "title": "Claims",
    "nodes": [
        {"id": "s", "kind": "start", "label": "Start"},
        {"id": "t1", "kind": "task", "label": "Receive the claim", "actor": "clerk"},
        {"id": "d1", "kind": "decision", "label": "Is the claim valid?"},
        {"id": "t2", "kind": "task", "label": "Pay the claim", "actor": "Manager"},
        {"id": "e", "kind": "end", "label": "End"},
    ],
    "edges": [
        {"source": "s", "target": "t1"},
        {"source": "t1", "target": "d1"},
        {"source": "d1", "target": "t2", "label": "yes"},
        {"source": "d1", "target": "e", "label": "no"},
        {"source": "t2", "target": "e"},
    ],
}


@pytest.fixture
def stub() -> Iterator[openai_stub.Stub]:
    with openai_stub.serving() as served:
        yield served


def _run(tmp_path: Path, url: str) -> Any:
    files = Files(tmp_path)
    files.ctx.sop_model = SopModel(OpenAI(base_url=url, api_key="k", max_retries=0, timeout=5), "m")
    return create_workflow_from_sop(files.ctx, CreateWorkflowFromSopParams(text=SOP))


def test_the_models_graph_is_the_workflow(stub: openai_stub.Stub, tmp_path: Path) -> None:
    stub.respond = lambda _: json.dumps(GRAPH)
    flow = _run(tmp_path, stub.url)
    assert (flow.reader, flow.title, flow.steps, flow.decisions) == ("llm", "Claims", 2, 1)
    assert flow.actors == ["Clerk", "Manager"]
    assert 'd1{"Is the claim valid?"}' in flow.mermaid and "<bpmn:exclusiveGateway" in flow.bpmn
    assert openai_stub.schema_name(stub.requests[0]) == "SopAnswer"
    assert stub.requests[0]["messages"][1]["content"] == SOP


def test_an_invalid_graph_is_sent_back_once(stub: openai_stub.Stub, tmp_path: Path) -> None:
    dangling = {**GRAPH, "edges": [*GRAPH["edges"], {"source": "t2", "target": "t9"}]}
    answers = iter([json.dumps(dangling), json.dumps(GRAPH)])
    stub.respond = lambda _: next(answers)
    flow = _run(tmp_path, stub.url)
    assert flow.reader == "llm" and len(stub.requests) == 2
    assert "unknown nodes" in stub.requests[1]["messages"][-1]["content"]


def test_two_bad_answers_fall_back_to_the_offline_reader(
    stub: openai_stub.Stub, tmp_path: Path
) -> None:
    stub.respond = lambda _: '{"nodes": "not a list"}'
    flow = _run(tmp_path, stub.url)
    assert flow.reader == "offline" and flow.steps == 2 and len(stub.requests) == 2
    assert flow.warnings[0].kind == "model_fallback"
    assert flow.warnings[0].message.startswith("the model's graph was not valid")
    assert flow.warnings[0].message.endswith("the offline reader read the procedure instead")


def test_an_unreachable_model_falls_back_too(tmp_path: Path) -> None:
    flow = _run(tmp_path, f"http://127.0.0.1:{launcher.free_port()}/v1")
    assert flow.reader == "offline" and flow.steps == 2
    assert flow.warnings[0].message.startswith(
        "the model could not be reached (APIConnectionError)"
    )


def test_the_worker_builds_the_model_only_when_asked() -> None:
    assert sop_model_for(Settings()) is None
    assert isinstance(
        sop_model_for(Settings(sop_reader="llm", llm_base_url="http://x/v1")), SopModel
    )
    with pytest.raises(ValueError, match="sop_reader=llm needs llm_base_url"):
        Settings(sop_reader="llm")
