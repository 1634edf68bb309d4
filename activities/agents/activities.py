"""The agents as Temporal activities: short, pure analysis, run as local activities."""

from temporalio import activity

from activities.agents import collaboration, summary
from activities.agents.analyzer import Analyzer
from activities.agents.liaisons import LIAISONS
from models.agents import (
    Analysis,
    CollaborationInput,
    LiaisonInput,
    Recommendation,
    SummaryInput,
    TurnContext,
)


class AgentActivities:
    """Guide, liaisons, router and summarizer, sharing one analyzer backend."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer

    @activity.defn(name="guide.analyze")
    async def analyze(self, context: TurnContext) -> Analysis:
        """The Guide Agent decides the route of a message."""
        return self._analyzer.analyze(context)

    @activity.defn(name="liaison.recommend")
    async def recommend(self, request: LiaisonInput) -> Recommendation:
        """A pillar's liaison turns the request into an intent, or asks for what's missing."""
        return LIAISONS[request.pillar](request.context)

    @activity.defn(name="collaboration.merge")
    async def merge(self, request: CollaborationInput) -> Recommendation:
        """The Collaboration Router merges the liaisons' views into one plan."""
        return collaboration.merge(request)

    @activity.defn(name="agent.summarize")
    async def summarize(self, request: SummaryInput) -> Recommendation:
        """The agent that recommended an execution tells the user what came of it."""
        return summary.summarize(request)
