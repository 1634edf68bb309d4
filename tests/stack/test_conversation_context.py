"""Context across turns, end to end: follow-ups, "do the same", "retry that"."""

from tests.client import Api, Event
from tests.stack.test_routing_matrix import ORDERS, SALES, SOP


def _one(events: list[Event], kind: str) -> Event:
    return next(e for e in events if e["type"] == kind)


def test_a_follow_up_refines_the_liaisons_intent(api: Api) -> None:
    ref = api.upload("sales.csv", SALES)
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"]])
        first = conn.turn("What insights can I get from my data?")
        follow_up = conn.turn("use the date column")
    assert _one(first, "intent.created")["intent"]["name"] == "profile_data"
    analysis = _one(follow_up, "agent.analysis")
    assert (analysis["route"], analysis["pillar"]) == ("liaison", "insights")
    created = _one(follow_up, "intent.created")
    assert created["intent"]["name"] == "generate_insights"
    assert created["intent"]["params"]["date_column"] == "date"
    assert _one(follow_up, "execution.completed")["execution_id"] == created["execution_id"]


def test_do_the_same_for_another_file(api: Api) -> None:
    sales, orders = api.upload("sales.csv", SALES), api.upload("orders.csv", ORDERS)
    with api.socket() as conn:
        conn.turn("Upload a file", [sales["file_id"], orders["file_id"]])
        conn.turn("profile sales.csv")
        events = conn.turn("do the same for orders.csv")
    created = _one(events, "intent.created")
    assert created["intent"]["name"] == "profile_data"
    assert created["intent"]["params"] == {"file_ids": [orders["file_id"]]}
    [profile] = _one(events, "execution.completed")["result"]["profiles"]
    assert (profile["name"], profile["rows"]) == ("orders.csv", 4)


def test_retry_that_retries_the_failed_execution(api: Api) -> None:
    broken = api.upload("broken.xlsx", b"PK\x03\x04 not really a spreadsheet")
    with api.socket() as conn:
        failed = conn.turn("Upload a file", [broken["file_id"]])
        retried = conn.turn("retry that")
    first = _one(failed, "execution.failed")
    created = _one(retried, "intent.created")
    assert created["retry_of"] == first["execution_id"]
    assert created["intent"]["name"] == "ingest_file"
    assert _one(retried, "execution.failed")["error"]["type"] == first["error"]["type"]
    chain = api.http.get(f"/api/executions/{created['execution_id']}").json()
    assert first["execution_id"] in str(chain)


EXPENSES = b"""# Expense claims

1. The employee submits the receipt.
2. The manager approves the claim.
3. Finance pays it out.
"""


def _status(events: list[Event]) -> str:
    return str(events[-1]["status"])


def _created_names(events: list[Event]) -> list[str]:
    return [e["intent"]["name"] for e in events if e["type"] == "intent.created"]


def test_comparison_takes_the_tables_and_not_the_sop(api: Api) -> None:
    refs = [
        api.upload("sales.csv", SALES),
        api.upload("expenses.md", EXPENSES),
        api.upload("orders.csv", ORDERS),
    ]
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"] for ref in refs])
        events = conn.turn("Compare my data quality across files")
    created = _one(events, "intent.created")
    assert created["intent"]["name"] == "compare_data_quality"
    assert created["intent"]["params"]["file_ids"] == [refs[0]["file_id"], refs[2]["file_id"]]
    assert _one(events, "execution.completed")["execution_id"] == created["execution_id"]
    assert _status(events) == "completed"


def test_comparison_with_one_table_asks_for_another(api: Api) -> None:
    refs = [api.upload("sales.csv", SALES), api.upload("expenses.md", EXPENSES)]
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"] for ref in refs])
        events = conn.turn("Compare my data quality across files")
    assert _created_names(events) == []
    ask = _one(events, "agent.message")["text"]
    assert "two tables" in ask
    assert "expenses.md is text" in ask
    assert _status(events) == "needs_input"


def test_a_choice_between_sops_is_a_question_and_the_answer_picks_one(api: Api) -> None:
    refs = [api.upload("expenses.md", EXPENSES), api.upload("refunds.md", SOP)]
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"] for ref in refs])
        asked = conn.turn("Create a workflow from my SOP")
        answered = conn.turn("the second one")
    assert _created_names(asked) == []
    assert "expenses.md or refunds.md" in _one(asked, "agent.message")["text"]
    assert _status(asked) == "needs_input"
    analysis = _one(answered, "agent.analysis")
    assert (analysis["route"], analysis["pillar"]) == ("liaison", "journey")
    created = _one(answered, "intent.created")
    assert created["intent"]["params"] == {"file_id": refs[1]["file_id"]}


def test_the_helping_liaison_lets_go_of_new_requests_and_nonsense(api: Api) -> None:
    """After a Journey turn a compare request routes afresh; after an Insights turn,
    nonsense gets the guide's question and runs nothing."""
    refs = [
        api.upload("sales.csv", SALES),
        api.upload("orders.csv", ORDERS),
        api.upload("refunds.md", SOP),
    ]
    with api.socket() as conn:
        conn.turn("Upload a file", [ref["file_id"] for ref in refs])
        conn.turn("Create a workflow from my SOP")
        compare = conn.turn("Compare my data quality across files")
        conn.turn("What insights can I get from my data?")
        nonsense = conn.turn("zxqv blorp")
    assert _one(compare, "agent.analysis")["route"] == "collaboration"
    assert _created_names(compare) == ["compare_data_quality"]
    analysis = _one(nonsense, "agent.analysis")
    assert (analysis["route"], analysis["agents"]) == ("clarify", ["guide"])
    assert _created_names(nonsense) == []
    assert _status(nonsense) == "needs_input"
