"""The agents as Temporal activities: short analysis, run as local activities."""

from temporalio import activity

from activities.agents import guide, summary
from activities.agents.backend import AgentBackend
from models.agents import (
    Analysis,
    CollaborationInput,
    LiaisonInput,
    Recommendation,
    SummaryInput,
    TurnContext,
)


class AgentActivities:
    """Guide, liaisons, router and summarizer, sharing one backend."""

    def __init__(self, backend: AgentBackend) -> None:
        self._backend = backend

    @activity.defn(name="guide.analyze")
    async def analyze(self, context: TurnContext) -> Analysis:
        """The Guide Agent decides the route of a message, in the conversation's light."""
        return await guide.analyze(context, self._backend)

    @activity.defn(name="liaison.recommend")
    async def recommend(self, request: LiaisonInput) -> Recommendation:
        """A pillar's liaison turns the request into an intent, or asks for what's missing."""
        return await self._backend.recommend(request)

    @activity.defn(name="collaboration.merge")
    async def merge(self, request: CollaborationInput) -> Recommendation:
        """The Collaboration Router merges the liaisons' views into one plan."""
        return await self._backend.merge(request)

    @activity.defn(name="agent.summarize")
    async def summarize(self, request: SummaryInput) -> Recommendation:
        """The agent that recommended an execution tells the user what came of it."""
        return summary.summarize(request)
