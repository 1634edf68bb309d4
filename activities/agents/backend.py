"""One interface for every agent backend, chosen by settings.

The guide's analysis, a liaison's recommendation and the router's merge are the three
places an agent thinks; a backend (the offline classifier with rule-based liaisons, or
an LLM) implements all three, so the workflow never changes when the backend does.
"""

from typing import Protocol

from activities.agents import collaboration
from activities.agents.analyzer import Analyzer
from activities.agents.liaisons import Liaisons, default_liaisons
from models.agents import Analysis, CollaborationInput, LiaisonInput, Recommendation, TurnContext


class AgentBackend(Protocol):
    """How agents decide: route a message, pick a pillar's intent, merge views."""

    liaisons: Liaisons

    async def analyze(self, context: TurnContext) -> Analysis: ...

    async def recommend(self, request: LiaisonInput) -> Recommendation: ...

    async def merge(self, request: CollaborationInput) -> Recommendation: ...


class OfflineBackend:
    """No network: an offline analyzer for the guide, rules for liaisons and the router."""

    def __init__(self, analyzer: Analyzer, liaisons: Liaisons | None = None) -> None:
        self._analyzer = analyzer
        self.liaisons = liaisons or default_liaisons()

    async def analyze(self, context: TurnContext) -> Analysis:
        """The analyzer's route for the message."""
        return self._analyzer.analyze(context)

    async def recommend(self, request: LiaisonInput) -> Recommendation:
        """The pillar's rule-based liaison."""
        return self.liaisons.recommend(request.pillar, request.context)

    async def merge(self, request: CollaborationInput) -> Recommendation:
        """The rule-based Collaboration Router."""
        return collaboration.merge(request, self.liaisons)
