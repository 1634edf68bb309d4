"""The events a turn publishes about its agents: their analysis and what they say."""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.agents.analyzer import GUIDE
    from models.agents import Analysis, Recommendation
    from models.events import AgentAnalysis, AgentMessage


def analysis_event(analysis: Analysis, turn_id: str, now: datetime) -> AgentAnalysis:
    """How the Guide Agent read the message and where it routes it."""
    return AgentAnalysis(
        ts=now,
        turn_id=turn_id,
        route=analysis.route,
        agents=analysis.agents,
        pillar=analysis.pillar.value if analysis.pillar else None,
        confidence=analysis.confidence,
        rationale=analysis.rationale,
    )


def agent_message(recommendation: Recommendation, turn_id: str, now: datetime) -> AgentMessage:
    """What an agent says to the user."""
    return AgentMessage(
        ts=now,
        turn_id=turn_id,
        agent=recommendation.agent,
        text=recommendation.text,
        next_steps=recommendation.next_steps,
    )


def apology() -> Recommendation:
    """The guide's answer when its agents failed: nothing ran, send it again."""
    return Recommendation(
        agent=GUIDE,
        text="Sorry, something went wrong while I was thinking about that. Please try again.",
        next_steps=["Send the message again"],
    )
