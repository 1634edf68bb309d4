"""Unit tests of `submit`'s idempotency: a known `message_id` keeps its turn, the map's bound.

The stack test `tests/stack/test_long_conversation.py` resends a message id after the
session continued-as-new, in the real workflow; these pin the map's rule at its edges.
"""

from collections.abc import Callable, Iterator

from workflows.conversation.message_ids import REMEMBERED_MESSAGE_IDS, Claim, claim


def _turns(prefix: str = "t") -> Callable[[], str]:
    """New turn ids t1, t2, ... in the order they are drawn."""
    numbers: Iterator[int] = iter(range(1, 10**6))
    return lambda: f"{prefix}{next(numbers)}"


def _filled(count: int) -> dict[str, str]:
    turns: dict[str, str] = {}
    new_turn = _turns()
    for n in range(count):
        claim(turns, f"m{n}", new_turn)
    return turns


def test_a_new_message_gets_a_new_turn_and_is_remembered() -> None:
    turns: dict[str, str] = {}
    assert claim(turns, "m1", _turns()) == Claim("t1", duplicate=False)
    assert turns == {"m1": "t1"}


def test_a_known_message_gets_its_first_turn_and_draws_no_id() -> None:
    turns = {"m1": "t1"}
    drawn: list[str] = []

    def new_turn() -> str:
        drawn.append("drawn")
        return "t2"

    assert claim(turns, "m1", new_turn) == Claim("t1", duplicate=True)
    assert drawn == []
    assert turns == {"m1": "t1"}


def test_each_distinct_message_gets_its_own_turn() -> None:
    turns: dict[str, str] = {}
    new_turn = _turns()
    assert [claim(turns, m, new_turn).turn_id for m in ("a", "b", "a", "c", "b")] == [
        "t1",
        "t2",
        "t1",
        "t3",
        "t2",
    ]
    assert turns == {"a": "t1", "b": "t2", "c": "t3"}


def test_the_map_holds_exactly_the_bound() -> None:
    turns = _filled(REMEMBERED_MESSAGE_IDS)
    assert len(turns) == REMEMBERED_MESSAGE_IDS
    assert claim(turns, "m0", _turns("new")) == Claim("t1", duplicate=True)


def test_one_past_the_bound_forgets_the_oldest_only() -> None:
    turns = _filled(REMEMBERED_MESSAGE_IDS + 1)
    assert len(turns) == REMEMBERED_MESSAGE_IDS
    assert "m0" not in turns
    assert next(iter(turns)) == "m1"
    assert turns[f"m{REMEMBERED_MESSAGE_IDS}"] == f"t{REMEMBERED_MESSAGE_IDS + 1}"
    assert claim(turns, "m1", _turns("new")) == Claim("t2", duplicate=True)
    assert claim(turns, "m0", _turns("new")) == Claim("new1", duplicate=False)


def test_a_duplicate_is_not_remembered_again_so_it_ages_as_the_first_copy() -> None:
    turns = _filled(REMEMBERED_MESSAGE_IDS)
    assert claim(turns, "m0", _turns("new")).duplicate
    claim(turns, "fresh", _turns("new"))
    assert "m0" not in turns
    assert next(iter(turns)) == "m1"
    assert len(turns) == REMEMBERED_MESSAGE_IDS


def test_a_carried_map_over_the_bound_is_cut_to_the_newest() -> None:
    turns = {f"m{n}": f"t{n}" for n in range(REMEMBERED_MESSAGE_IDS + 3)}
    claim(turns, "fresh", _turns("new"))
    assert len(turns) == REMEMBERED_MESSAGE_IDS
    assert next(iter(turns)) == "m4"
    assert turns["fresh"] == "new1"
