"""The Collaboration Router: merges several liaisons' views into one plan."""

from models.agents import CollaborationInput, Recommendation
from models.intents import Intent, Realm

ROUTER = "collaboration_router"


def merge(request: CollaborationInput) -> Recommendation:
    """One plan from many views: a comparison needs two files, else views are combined."""
    if "compar" in request.context.text.lower():
        return _comparison(request)
    intents = _unique([i for view in request.views for i in view.intents])
    text = " ".join(view.text for view in request.views)
    return Recommendation(agent=ROUTER, text=text, intents=intents)


def _comparison(request: CollaborationInput) -> Recommendation:
    """Content says which files are in scope; Insights compares them."""
    file_ids = _unique_ids(
        [
            str(intent.params["file_id"])
            for view in request.views
            for intent in view.intents
            if intent.name == "ingest_file"
        ]
        + [ref.file_id for ref in request.context.session_files]
    )
    if len(file_ids) < 2:
        return Recommendation(
            agent=ROUTER,
            text="To compare data quality I need at least two files. Please upload another one.",
            next_steps=["Upload a second file"],
        )
    compare = Intent(
        name="compare_data_quality", realm=Realm.INSIGHTS, params={"file_ids": file_ids}
    )
    return Recommendation(
        agent=ROUTER,
        text=f"The content and insights liaisons agree: I'll compare {len(file_ids)} files "
        "side by side on completeness, duplicates, types and outliers.",
        next_steps=["Profile the weakest file", "Generate insights on the best one"],
        intents=[*planned_ingests(request), compare],
    )


def planned_ingests(request: CollaborationInput) -> list[Intent]:
    """Files attached to the message are ingested before anything compares them."""
    return _unique([i for view in request.views for i in view.intents if i.name == "ingest_file"])


def _unique(intents: list[Intent]) -> list[Intent]:
    seen: set[str] = set()
    kept = []
    for intent in intents:
        key = intent.model_dump_json()
        if key not in seen:
            seen.add(key)
            kept.append(intent)
    return kept


def _unique_ids(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))
