"""After an execution, a few sentences for the user about what came of it."""

from typing import Any

from activities.agents.asking import FOLLOW_UPS
from models.agents import Recommendation, SummaryInput

_MAX_FACTS = 4


def summarize(request: SummaryInput) -> Recommendation:
    """Lead with the realm's own summary when it gives one, else its headline numbers."""
    name = request.intent.name.replace("_", " ")
    if request.status == "completed":
        result = request.result or {}
        answer = result.get("answer")
        text = answer if isinstance(answer, str) else f"Done: {name}. {_facts(result)}".strip()
        steps = (
            FOLLOW_UPS if isinstance(answer, str) else ["Ask a follow-up question about the result"]
        )
    elif request.status == "cancelled":
        text = f"{name.capitalize()} was cancelled; nothing from it was kept."
        steps = ["Retry it when you're ready"]
    else:
        text = f"{name.capitalize()} failed: {request.error_message or 'unknown error'}"
        steps = ["Retry it", "Try a different file"]
    return Recommendation(agent=request.agent, text=text, next_steps=steps)


def _facts(result: dict[str, Any]) -> str:
    summary = result.get("summary")
    if isinstance(summary, str) and summary:
        return summary
    facts = [
        f"{key.replace('_', ' ')}: {value}"
        for key, value in result.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    ]
    return "; ".join(facts[:_MAX_FACTS]) + ("." if facts else "")
