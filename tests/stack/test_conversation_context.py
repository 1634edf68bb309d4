"""Context across turns, end to end: follow-ups, "do the same", "retry that"."""

from tests.client import Api, Event
from tests.stack.test_routing_matrix import ORDERS, SALES


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
