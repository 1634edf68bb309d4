"""Journey realm: SOPs with numbered steps, headings, decisions, actors and I/O."""

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.realms.journey import (
    CreateWorkflowFromSopParams,
    create_workflow_from_sop,
    parse_sop,
)
from tests.realm_files import SOP_MD, Files


def test_an_sop_file_becomes_a_workflow(tmp_path: Path) -> None:
    files = Files(tmp_path)
    ref = files.add("refunds.md", SOP_MD)
    flow = create_workflow_from_sop(files.ctx, CreateWorkflowFromSopParams(file_id=ref.file_id))
    assert flow.title == "Refund procedure"
    assert flow.phases == ["Intake", "Payout"]
    assert [s.text[:20] for s in flow.steps] == [
        "The customer submits",
        "The agent checks the",
        "If the amount is ove",
        "Finance issues the r",
    ]
    assert [s.next for s in flow.steps] == [["s2"], ["s3"], ["s4"], []]
    decision = flow.steps[2]
    assert decision.kind == "decision"
    assert decision.condition == "the amount is over 100"
    assert decision.then == "the manager approves it"
    assert decision.otherwise == "the agent approves it"
    assert [s.actor for s in flow.steps] == ["Customer", "agent", "manager", "finance"]
    assert flow.steps[1].inputs == ["order id", "receipt"]
    assert flow.outputs == ["refund confirmation"]
    assert flow.decisions == 1


def test_the_mermaid_chart_has_every_step_and_both_branches() -> None:
    flow = parse_sop(SOP_MD)
    chart = flow.mermaid.splitlines()
    assert chart[0] == "flowchart TD"
    assert 's3{"the amount is over 100?"}' in flow.mermaid
    assert "s3 -->|yes| s3y" in flow.mermaid
    assert "s3 -->|no| s3n" in flow.mermaid
    assert {"    s3y --> s4", "    s3n --> s4"} <= set(chart)


def test_text_in_the_message_and_quotes_in_labels() -> None:
    flow = parse_sop('1) Say "hello" | wave\n2) Leave', "Greeting")
    assert flow.title == "Greeting"
    assert "#quot;hello#quot; #124; wave" in flow.mermaid


def test_no_steps_is_a_clear_failure() -> None:
    with pytest.raises(ApplicationError) as err:
        parse_sop("just a paragraph of prose with nothing to do")
    assert err.value.type == "invalid_sop"
    assert err.value.non_retryable
