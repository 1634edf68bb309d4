"""The contract's routing matrix, end to end over a real socket, worker and Temporal."""

from tests.client import Api, Event, types

SALES = (
    b"region,amount,date\nnorth,10,2024-01-01\nsouth,20,2024-02-01\n"
    b"north,,2024-03-01\neast,40,2024-04-01\n"
)
ORDERS = b"id,total\n1,5.5\n2,7.25\n2,7.25\n3,\n"
SOP = b"""# Refund procedure

1. The customer submits a refund request.
2. The agent checks the order.
3. If the amount is over 100 then the manager approves it, otherwise the agent approves it.
4. The agent issues the refund.
"""


def _analysis(events: list[Event]) -> Event:
    return next(e for e in events if e["type"] == "agent.analysis")


def _created(events: list[Event]) -> list[Event]:
    return [e for e in events if e["type"] == "intent.created"]


def test_upload_without_a_file_asks_for_it(api: Api) -> None:
    with api.socket() as conn:
        events = conn.turn("Upload a file")
    analysis = _analysis(events)
    assert (analysis["route"], analysis["agents"]) == ("direct", ["guide"])
    assert not _created(events)
    ask = next(e for e in events if e["type"] == "agent.message")
    assert "attach" in ask["text"].lower()
    assert events[-1]["type"] == "turn.completed"
    assert events[-1]["status"] == "needs_input"


def test_upload_with_a_file_ingests_it(api: Api) -> None:
    ref = api.upload("sales.csv", SALES)
    with api.socket() as conn:
        events = conn.turn("Upload a file", [ref["file_id"]])
    analysis = _analysis(events)
    assert (analysis["route"], analysis["agents"]) == ("direct", ["guide"])
    [created] = _created(events)
    assert created["intent"]["name"] == "ingest_file"
    assert created["intent"]["params"] == {"file_id": ref["file_id"]}
    completed = next(e for e in events if e["type"] == "execution.completed")
    assert completed["execution_id"] == created["execution_id"]
    assert completed["result"]["row_count"] == 4
    assert types(events)[:2] == ["message.accepted", "agent.analysis"]
    assert events[-1]["status"] == "completed"


def test_insights_go_through_the_insights_liaison(api: Api) -> None:
    ref = api.upload("sales.csv", SALES)
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"]])
        events = conn.turn("What insights can I get from my data?")
    analysis = _analysis(events)
    assert analysis["route"] == "liaison"
    assert analysis["agents"] == ["guide", "insights_liaison"]
    assert analysis["pillar"] == "insights"
    [created] = _created(events)
    assert created["intent"]["name"] in ("profile_data", "generate_insights")
    assert created["intent"]["params"]["file_ids"] == [ref["file_id"]]
    assert events[-1]["status"] == "completed"


def test_sop_goes_through_the_journey_liaison(api: Api) -> None:
    ref = api.upload("refunds.md", SOP, "text/markdown")
    with api.socket() as conn:
        events = conn.turn("Create a workflow from my SOP", [ref["file_id"]])
    analysis = _analysis(events)
    assert (analysis["route"], analysis["agents"]) == ("liaison", ["guide", "journey_liaison"])
    [created] = _created(events)
    assert created["intent"]["name"] == "create_workflow_from_sop"
    assert events[-1]["status"] == "completed"


def test_comparison_is_a_collaboration(api: Api) -> None:
    first = api.upload("sales.csv", SALES)
    second = api.upload("orders.csv", ORDERS)
    with api.socket() as conn:
        conn.turn("Upload a file", [first["file_id"], second["file_id"]])
        events = conn.turn("Compare my data quality across files")
    analysis = _analysis(events)
    assert analysis["route"] == "collaboration"
    assert analysis["agents"] == ["guide", "content_liaison", "insights_liaison"]
    [created] = _created(events)
    assert created["intent"]["name"] == "compare_data_quality"
    assert sorted(created["intent"]["params"]["file_ids"]) == sorted(
        [first["file_id"], second["file_id"]]
    )
    assert events[-1]["status"] == "completed"


def test_comparison_with_one_file_asks_for_another(api: Api) -> None:
    ref = api.upload("sales.csv", SALES)
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"]])
        events = conn.turn("Compare my data quality across files")
    assert _analysis(events)["route"] == "collaboration"
    assert not _created(events)
    assert events[-1]["status"] == "needs_input"


def test_an_unclear_message_gets_a_clarifying_question(api: Api) -> None:
    with api.socket() as conn:
        events = conn.turn("bananas are yellow")
    analysis = _analysis(events)
    assert (analysis["route"], analysis["agents"]) == ("clarify", ["guide"])
    assert analysis["confidence"] < 0.5
    question = next(e for e in events if e["type"] == "agent.message")
    assert question["text"].endswith("?")
    assert not _created(events)
    assert events[-1]["status"] == "needs_input"
