"""The Collaboration Router: merges several liaisons' views into one plan."""

from typing import TYPE_CHECKING

from models.agents import CollaborationInput, Recommendation, Route
from models.intents import Intent, Realm

if TYPE_CHECKING:
    from activities.agents.liaisons import Liaisons

ROUTER = "collaboration_router"


def merge(request: CollaborationInput, liaisons: "Liaisons") -> Recommendation:
    """The plan of the label that consults exactly these liaisons, else the views combined."""
    consulted = {view.agent for view in request.views}
    for label in liaisons.labels.values():
        agents = {liaisons.liaison(p).name for p in label.pillars}
        if label.route is Route.COLLABORATION and label.merge and agents == consulted:
            return label.merge(request, liaisons.catalog)
    intents = _unique([i for view in request.views for i in view.intents])
    text = " ".join(view.text for view in request.views)
    return Recommendation(agent=ROUTER, text=text, intents=intents)


def planned_ingests(request: CollaborationInput) -> list[Intent]:
    """Files attached to the message are taken in (the Content view's intents) before
    anything else runs on them."""
    return _unique([i for view in request.views for i in view.intents if i.realm is Realm.CONTENT])


def _unique(intents: list[Intent]) -> list[Intent]:
    seen: set[str] = set()
    kept = []
    for intent in intents:
        key = intent.model_dump_json()
        if key not in seen:
            seen.add(key)
            kept.append(intent)
    return kept
