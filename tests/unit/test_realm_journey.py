"""Journey realm: SOPs in every common style become control-flow graphs (no server needed)."""

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.catalog.journey import CreateWorkflowFromSopParams
from activities.realms.journey import (
    MAX_TASKS,
    RESULT_BUDGET,
    WorkflowDefinition,
    create_workflow_from_sop,
    parse_sop,
)
from activities.realms.sop.graph import Graph, NodeKind
from activities.realms.sop.mermaid import label
from tests.realm_files import SOP_MD, Files


def _task(flow: WorkflowDefinition, start: str) -> str:
    """The id of the task whose label starts with `start` (case-insensitive)."""
    found = [
        n.id
        for n in flow.nodes
        if n.kind == NodeKind.TASK and n.label.lower().startswith(start.lower())
    ]
    assert len(found) == 1, (start, [n.label for n in flow.nodes])
    return found[0]


def _next(flow: WorkflowDefinition, node: str) -> dict[str, str | None]:
    """Successor id → edge label."""
    return {e.target: e.label for e in flow.edges if e.source == node}


def _reaches(flow: WorkflowDefinition, source: str, target: str) -> bool:
    seen, todo = {source}, [source]
    while todo:
        for following in _next(flow, todo.pop()):
            if following == target:
                return True
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return False


def _labels(flow: WorkflowDefinition, kind: NodeKind) -> list[str]:
    return [n.label for n in flow.nodes if n.kind == kind]


def test_an_sop_file_becomes_a_workflow(tmp_path: Path) -> None:
    files = Files(tmp_path)
    ref = files.add("refunds.md", SOP_MD)
    flow = create_workflow_from_sop(files.ctx, CreateWorkflowFromSopParams(file_id=ref.file_id))
    assert flow.title == "Refund procedure"
    assert flow.phases == ["Intake", "Payout"]
    assert flow.reader == "offline"
    assert _labels(flow, NodeKind.TASK) == [
        "The customer submits a refund request",
        "The agent checks the order",
        "The manager approves it",
        "The agent approves it",
        "Finance issues the refund",
    ]
    assert _labels(flow, NodeKind.DECISION) == ["the amount is over 100?"]
    assert flow.actors == ["Customer", "Agent", "Manager", "Finance"]
    checks = next(n for n in flow.nodes if n.label.startswith("The agent checks"))
    assert checks.inputs == ["order id", "receipt"]
    assert flow.outputs == ["refund confirmation"]
    assert (flow.steps, flow.decisions, flow.loops) == (5, 1, 0)


def test_otherwise_is_the_else_branch_not_a_step_on_every_path() -> None:
    flow = parse_sop(
        "1. The clerk receives the claim.\n"
        "2. If the claim is valid, the manager approves it.\n"
        "3. Otherwise, the claim is rejected.\n"
        "4. If approved, Finance reimburses the employee.\n"
    )
    decision = next(n.id for n in flow.nodes if n.kind == NodeKind.DECISION)
    approve, reject = _task(flow, "The manager approves"), _task(flow, "The claim is rejected")
    assert _next(flow, decision) == {approve: "yes", reject: "no"}
    assert not _reaches(flow, approve, reject)


def test_one_activity_per_clause_and_the_subject_carries_over() -> None:
    flow = parse_sop(
        "The clerk checks the PO and then files it. The manager signs the form and sends it back."
    )
    tasks = [(n.label, n.actor) for n in flow.nodes if n.kind == NodeKind.TASK]
    assert tasks == [
        ("The clerk checks the PO", "Clerk"),
        ("Files it", "Clerk"),
        ("The manager signs the form", "Manager"),
        ("Sends it back", "Manager"),
    ]
    assert parse_sop("The clerk checks the PO and the invoice.").steps == 1


def test_nested_numbering_keeps_every_sub_step_and_nested_decisions() -> None:
    flow = parse_sop(
        "1. Receive the invoice.\n"
        "   1.1 Scan it.\n"
        "   1.2 If the invoice is in a foreign currency:\n"
        "       a. Convert the amount.\n"
        "          i. If the rate is older than a day, fetch today's rate.\n"
        "       b. Note the rate.\n"
        "2. Approve the invoice.\n"
    )
    assert [n.ref for n in flow.nodes if n.kind == NodeKind.TASK] == [
        "1",
        "1.1",
        "a",
        None,
        "b",
        "2",
    ]
    outer, inner = (n.id for n in flow.nodes if n.kind == NodeKind.DECISION)
    assert _reaches(flow, outer, inner) and not _reaches(flow, inner, outer)
    assert _next(flow, outer)[_task(flow, "Convert")] == "yes"
    assert _next(flow, outer)[_task(flow, "Approve")] == "no"


def test_a_jump_to_a_missing_step_ends_that_path_and_says_so() -> None:
    flow = parse_sop("1. Check the form.\n2. If it is wrong, go back to step 9.\n3. File it.\n")
    (warning,) = flow.warnings
    assert (warning.kind, warning.examples) == ("unknown_step", ["9"])
    decision = next(n.id for n in flow.nodes if n.kind == NodeKind.DECISION)
    (end,) = [t for t, label in _next(flow, decision).items() if label == "yes"]
    assert next(n.kind for n in flow.nodes if n.id == end) == NodeKind.END


def test_loops_go_back_to_the_step_they_name() -> None:
    flow = parse_sop(
        "1. Draft the report.\n2. The reviewer reads it.\n"
        "3. If changes are needed, go back to step 1.\n4. Publish the report.\n"
    )
    loops = [e for e in flow.edges if e.loop]
    assert [(e.target, e.label) for e in loops] == [(_task(flow, "Draft"), "yes")]
    repeat = parse_sop(
        "- Count the stock\n- Compare with the ledger\n- Repeat until the counts match\n- Sign"
    )
    loop = next(e for e in repeat.edges if e.loop)
    assert loop.target == _task(repeat, "Compare") and loop.label == "no"
    assert "the counts match?" in _labels(repeat, NodeKind.DECISION)


def test_meanwhile_runs_in_parallel_and_joins() -> None:
    flow = parse_sop(
        "The buyer orders the goods. Meanwhile, the accountant reserves the budget. "
        "The buyer files the order."
    )
    split = next(n.id for n in flow.nodes if n.kind == NodeKind.PARALLEL)
    join = next(n.id for n in flow.nodes if n.kind == NodeKind.JOIN)
    branches = set(_next(flow, split))
    assert branches == {_task(flow, "The buyer orders"), _task(flow, "The accountant")}
    assert all(join in _next(flow, b) for b in branches)
    assert set(_next(flow, join)) == {_task(flow, "The buyer files")}


def test_the_process_ends_here_is_an_end_event_on_that_branch() -> None:
    flow = parse_sop(
        "1. Check the ID.\n2. If the ID is fake, call security and the process ends here.\n"
        "3. Issue the badge.\n"
    )
    security = _task(flow, "Call security")
    (end,) = _next(flow, security)
    assert next(n.kind for n in flow.nodes if n.id == end) == NodeKind.END
    assert not _reaches(flow, security, _task(flow, "Issue"))


def test_actors_merge_whatever_their_case_and_distinct_roles_stay_apart() -> None:
    flow = parse_sop(
        "1. The Clerk opens the case.\n2. The clerk checks it.\n3. The AP clerk pays it.\n"
        "4. the CLERK closes it.\n"
    )
    assert flow.actors == ["Clerk", "AP clerk"]


def test_role_and_owner_lines_and_inline_owners() -> None:
    flow = parse_sop(
        "## Intake\nRole: Front desk\n- Greet the guest\n- Take the booking (Owner: Reservations)\n"
        "## Payment\nOwner: Cashier\n- Take the payment\n"
    )
    assert [(n.label, n.actor) for n in flow.nodes if n.kind == NodeKind.TASK] == [
        ("Greet the guest", "Front desk"),
        ("Take the booking", "Reservations"),
        ("Take the payment", "Cashier"),
    ]


def test_a_table_of_steps_and_a_raci_table() -> None:
    steps = parse_sop(
        "| Step | Owner | Action | Input | Output |\n|---|---|---|---|---|\n"
        "| 1 | Buyer | Request quotes | Need | Quotes |\n"
        "| 2 | Buyer | If no quote is cheap enough, go back to step 1 | Quotes | |\n"
        "| 3 | Approver | Approve the order | Quotes | Order |\n"
    )
    assert [(n.label, n.actor, n.ref) for n in steps.nodes if n.kind == NodeKind.TASK] == [
        ("Request quotes", "Buyer", "1"),
        ("Approve the order", "Approver", "3"),
    ]
    assert (
        steps.loops == 1
        and steps.inputs == ["Need", "Quotes"]
        and steps.outputs == ["Quotes", "Order"]
    )
    raci = parse_sop(
        "| Activity | Legal | Finance |\n|---|---|---|\n"
        "| Review the contract | R | A |\n| Pay the vendor | C | R/A |\n"
    )
    assert [(n.actor, n.accountable) for n in raci.nodes if n.kind == NodeKind.TASK] == [
        ("Legal", "Finance"),
        ("Finance", "Finance"),
    ]
    assert raci.actors == ["Legal", "Finance"]


def test_step_headings_with_bodies() -> None:
    flow = parse_sop(
        "## Step 1: Receive the parcel\nThe courier drops the parcel at the desk.\n\n"
        "## Step 2: Inspect it\nThe clerk opens the parcel.\n"
        "If it is damaged, the clerk photographs it.\n"
    )
    assert [(n.label, n.actor, n.ref) for n in flow.nodes if n.kind == NodeKind.TASK] == [
        ("Receive the parcel", "Courier", "1"),
        ("Inspect it", "Clerk", "2"),
        ("The clerk photographs it", "Clerk", None),
    ]


def test_prose_skips_what_is_not_an_activity_and_says_so() -> None:
    flow = parse_sop(
        "Purpose: describe onboarding.\n\nThis procedure applies to all new staff. "
        "HR sends the contract. The new employee signs it.\n"
    )
    assert _labels(flow, NodeKind.TASK) == ["HR sends the contract", "The new employee signs it"]
    (warning,) = flow.warnings
    assert (warning.kind, warning.count) == ("skipped", 2)
    assert warning.examples == [
        "line 1: Purpose: describe onboarding.",
        "line 3: This procedure applies to all new staff",
    ]


def test_a_long_sop_is_drawn_whole_and_a_cut_is_announced() -> None:
    long = "\n".join(f"{i}. The clerk handles item {i} of the shipment." for i in range(1, 251))
    flow = parse_sop(long)
    assert flow.steps == 250 and flow.warnings == []
    assert "BPMNDiagram" in flow.bpmn
    assert len(flow.model_dump_json()) <= RESULT_BUDGET
    huge = parse_sop("\n".join(f"{i}. Handle item {i}." for i in range(1, MAX_TASKS + 51)))
    assert huge.steps == MAX_TASKS
    (cut,) = [w for w in huge.warnings if w.kind == "truncated"]
    assert cut.count == 50 and f"has {MAX_TASKS + 50} steps" in cut.message


def test_at_the_cap_nothing_is_cut_and_the_result_keeps_to_its_budget() -> None:
    wordy = "the clerk checks the delivery note against the purchase order line by line"
    flow = parse_sop("\n".join(f"{i}. Item {i}: {wordy}." for i in range(1, MAX_TASKS + 1)))
    assert flow.steps == MAX_TASKS and not any(w.kind == "truncated" for w in flow.warnings)
    assert len(flow.model_dump_json()) <= RESULT_BUDGET
    assert "BPMNDiagram" not in flow.bpmn and flow.warnings[-1].kind == "bpmn_layout"


def test_no_procedure_is_a_clear_failure() -> None:
    with pytest.raises(ApplicationError) as err:
        parse_sop("This document describes our values. Quality is important to us.")
    assert err.value.type == "invalid_sop"
    assert err.value.non_retryable
    assert "numbered or bulleted steps" in err.value.message


def test_mermaid_labels_are_escaped() -> None:
    flow = parse_sop('1) Say "hello" | wave [twice] #1 {now} <b>\n2) Leave')
    assert (
        "#quot;hello#quot; #124; wave #91;twice#93; #35;1 #123;now#125; #lt;b#gt;" in flow.mermaid
    )
    assert label("x" * 500).endswith("…") and len(label("x" * 500)) == 120


def test_graphs_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown nodes"):
        Graph.model_validate(
            {
                "nodes": [
                    {"id": "s", "kind": "start", "label": "Start"},
                    {"id": "t", "kind": "task", "label": "x"},
                    {"id": "e", "kind": "end", "label": "End"},
                ],
                "edges": [{"source": "s", "target": "nowhere"}],
            }
        )
