"""Idempotency of `submit`: each recent `message_id` keeps the turn it started.

A client resends a message it is not sure arrived (a dropped socket, a retry) with the
same `message_id`. Temporal's Update-id dedup catches a resend within one run only; this
map travels in the carried state, so a resend after a continue-as-new still finds its
turn instead of starting a second one. It keeps the newest `REMEMBERED_MESSAGE_IDS`
(oldest dropped first), so a long session's state stays bounded.
"""

from collections.abc import Callable
from typing import NamedTuple

REMEMBERED_MESSAGE_IDS = 2_000


class Claim(NamedTuple):
    """The turn a message belongs to, and whether an earlier copy already started it."""

    turn_id: str
    duplicate: bool


def claim(turns: dict[str, str], message_id: str, new_turn: Callable[[], str]) -> Claim:
    """The turn of `message_id`: the remembered one, or a new one (then remembered).

    `new_turn` is called only for a message not seen before: it draws from the
    workflow's seeded random, and a duplicate drawing one would shift every later id.
    """
    known = turns.get(message_id)
    if known is not None:
        return Claim(known, duplicate=True)
    turn_id = new_turn()
    turns[message_id] = turn_id
    while len(turns) > REMEMBERED_MESSAGE_IDS:
        del turns[next(iter(turns))]
    return Claim(turn_id, duplicate=False)
