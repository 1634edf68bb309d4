"""The agents as Temporal activities: short analysis, run as local activities."""

import asyncio

from temporalio import activity

from activities.agents import asking, guide, summary
from activities.agents.backend import AgentBackend
from activities.agents.liaisons.insights import tables_in_scope
from activities.catalog import Catalog
from models.agents import (
    Analysis,
    CollaborationInput,
    LiaisonInput,
    Recommendation,
    SummaryInput,
    TurnContext,
)
from models.intents import Realm


class AgentActivities:
    """Guide, liaisons, router and summarizer, sharing one backend."""

    def __init__(
        self, backend: AgentBackend, catalog: Catalog, tables: asking.SchemaSource | None = None
    ) -> None:
        self._backend = backend
        self._catalog = catalog
        self._tables = tables

    @activity.defn(name="guide.analyze")
    async def analyze(self, context: TurnContext) -> Analysis:
        """The Guide Agent decides the route of a message, in the conversation's light.

        A message that asks something gets the schemas of the session's tables first, so
        the guide can tell a question about the user's columns from one it cannot help with.
        """
        if self._tables and asking.ASKS.search(context.text.lower()):
            files = tables_in_scope(context.model_copy(update={"focus": []}), self._catalog)
            tables = await asyncio.to_thread(self._tables.schemas, files)
            context = context.model_copy(update={"tables": tables})
        analysis = await guide.analyze(context, self._backend)
        if analysis.recommendation is not None:
            analysis.recommendation = self._stamped(analysis.recommendation)
        return analysis

    @activity.defn(name="liaison.recommend")
    async def recommend(self, request: LiaisonInput) -> Recommendation:
        """A pillar's liaison turns the request into an intent, or asks for what's missing.

        A question about the data gets the schemas of the files in scope first (read off
        the event loop), so the Insights liaison can check it against their columns.
        """
        context = request.context
        if self._tables and request.pillar is Realm.INSIGHTS and asking.wants_tables(context):
            files = tables_in_scope(context, self._catalog)
            tables = await asyncio.to_thread(self._tables.schemas, files)
            request = request.model_copy(
                update={"context": context.model_copy(update={"tables": tables})}
            )
        return self._stamped(await self._backend.recommend(request))

    @activity.defn(name="collaboration.merge")
    async def merge(self, request: CollaborationInput) -> Recommendation:
        """The Collaboration Router merges the liaisons' views into one plan."""
        return self._stamped(await self._backend.merge(request))

    def _stamped(self, recommendation: Recommendation) -> Recommendation:
        """The catalog's approvals on the plan, so the conversation asks no activity."""
        names = [i.name for i in recommendation.intents if self._catalog.needs_approval(i.name)]
        return recommendation.model_copy(update={"approvals": names})

    @activity.defn(name="agent.summarize")
    async def summarize(self, request: SummaryInput) -> Recommendation:
        """The agent that recommended an execution tells the user what came of it."""
        return summary.summarize(request)
