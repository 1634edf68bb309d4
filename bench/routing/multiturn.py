"""Per-turn route and intent accuracy over multi-turn conversations, offline.

Run: `.venv/bin/python -m bench.routing.multiturn` (`-v` lists the misses). Each
conversation runs through the agents' activities as the conversation workflow calls
them (guide, liaisons in parallel, the router), carrying the state the workflow keeps
between turns: the session's files, the guide's offered options, the helping liaison
and the last execution (every planned intent counts as completed). The Insights
liaison reads schemas of the bench's tables, as the worker reads them from the files.
"""

import asyncio
import sys
from collections import Counter

from activities.agents.activities import AgentActivities
from activities.agents.backend import OfflineBackend
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from bench.routing.dialogues import CONVERSATIONS, SESSIONS, Turn
from bench.routing.run import label_of
from models.agents import (
    Analysis,
    CollaborationInput,
    LastExecution,
    LiaisonInput,
    Recommendation,
    Route,
    TurnContext,
)
from models.files import FileRef
from models.query import ColumnInfo, TableSchema

COLUMNS = {
    "sales.csv": [("region", "text"), ("amount", "number"), ("order_date", "datetime")],
    "orders.csv": [("id", "integer"), ("total", "number"), ("status", "text")],
    "penguins.csv": [
        ("species", "text"),
        ("island", "text"),
        ("bill_length_mm", "number"),
        ("bill_depth_mm", "number"),
        ("flipper_length_mm", "number"),
        ("body_mass_g", "number"),
        ("sex", "text"),
    ],
}
VALUES = {
    "species": ["Adelie", "Gentoo", "Chinstrap"],
    "region": ["north", "south"],
    "sex": ["male", "female"],
    "status": ["shipped", "open"],
}


def ref(name: str) -> FileRef:
    """A file of the bench's sessions, its id derived from its name."""
    return FileRef(file_id=name.replace(".", "_"), name=name, size=1, sha256="0", content_type="")


class Schemas:
    """The bench's tables as the worker's schema reader would describe them."""

    def schemas(self, refs: list[FileRef]) -> list[TableSchema]:
        return [
            TableSchema(
                file_id=r.file_id,
                name=r.name,
                table=r.name.split(".")[0],
                rows=100,
                columns=[ColumnInfo(name=n, type=t, values=VALUES.get(n, [])) for n, t in cols],
            )
            for r in refs
            if (cols := COLUMNS.get(r.name))
        ]


class Session:
    """What the conversation workflow carries from one turn to the next."""

    def __init__(self, agents: AgentActivities, files: tuple[str, ...]) -> None:
        self.agents = agents
        self.files = [ref(name) for name in files]
        self.options: list[str] = []
        self.helping: Analysis | None = None
        self.last: LastExecution | None = None

    async def turn(self, text: str, attached: tuple[str, ...]) -> tuple[Analysis, Recommendation]:
        refs = [ref(name) for name in attached]
        self.files += [r for r in refs if r not in self.files]
        context = TurnContext(
            text=text,
            attached=refs,
            session_files=self.files,
            pending_options=self.options,
            active_pillar=self.helping.pillar if self.helping else None,
            last_execution=self.last,
        )
        analysis = await self.agents.analyze(context)
        self.options = analysis.options
        self.helping = analysis if analysis.route is Route.LIAISON else None
        focus = [r for r in self.files if r.file_id in analysis.focus]
        plan = await self._plan(analysis, context.model_copy(update={"focus": focus}))
        for index, intent in enumerate(plan.intents):
            self.last = LastExecution(execution_id=f"e{index}", intent=intent, status="completed")
        return analysis, plan

    async def _plan(self, analysis: Analysis, context: TurnContext) -> Recommendation:
        if analysis.route in (Route.DIRECT, Route.CLARIFY) or not analysis.pillars:
            assert analysis.recommendation is not None
            return analysis.recommendation
        views = await asyncio.gather(
            *(
                self.agents.recommend(LiaisonInput(pillar=p, context=context))
                for p in analysis.pillars
            )
        )
        if analysis.route is Route.LIAISON:
            return views[0]
        return await self.agents.merge(CollaborationInput(context=context, views=list(views)))


def _route_ok(label: str, analysis: Analysis, text: str) -> bool:
    """A reference back ("retry that") is the guide's own direct route; any other turn's
    label is what the analysis stands for."""
    if label == "reference":
        return analysis.rationale.startswith("reference to the conversation")
    return label_of(analysis, text) == label


def expected(turn: Turn) -> tuple[str, str, str | None, tuple[str, ...]]:
    """A turn's message, label, intent and the files sent with it."""
    text, label, intent, *rest = turn
    return text, label, intent, (rest[0] if rest else ())


def score(turn: Turn, analysis: Analysis, plan: Recommendation) -> tuple[bool, bool]:
    """Whether the turn went where its label says, and whether its plan ends with its intent."""
    text, label, intent, _ = expected(turn)
    got = plan.intents[-1].name if plan.intents else None
    return _route_ok(label, analysis, text), got == intent


async def evaluate(verbose: bool) -> tuple[int, int, int, int, Counter[str]]:
    """Turns, right routes, right intents, right both; misses by expected label."""
    liaisons = default_liaisons()
    examples = {text.lower() for texts in liaisons.examples().values() for text in texts}
    seen = [t[0] for _, turns in CONVERSATIONS for t in turns if t[0].lower() in examples]
    assert not seen, f"training examples in the conversations: {seen}"
    backend = OfflineBackend(ClassifierAnalyzer(liaisons=liaisons), liaisons)
    agents = AgentActivities(backend, liaisons.catalog, Schemas())
    turns = routes = intents = both = 0
    misses: Counter[str] = Counter()
    for number, (files, conversation) in enumerate(CONVERSATIONS):
        session = Session(agents, SESSIONS[files])
        for turn in conversation:
            text, label, intent, attached = expected(turn)
            analysis, plan = await session.turn(text, attached)
            got = plan.intents[-1].name if plan.intents else None
            route_ok, intent_ok = score(turn, analysis, plan)
            turns += 1
            routes += route_ok
            intents += intent_ok
            both += route_ok and intent_ok
            if not (route_ok and intent_ok):
                misses[label] += 1
                if verbose:
                    print(
                        f"#{number} {text!r}: want {label}/{intent}, "
                        f"got {label_of(analysis, text)}/{got}"
                        f" ({analysis.rationale[:90]})"
                    )
    return turns, routes, intents, both, misses


def main() -> None:
    turns, routes, intents, both, misses = asyncio.run(evaluate("-v" in sys.argv))
    print(f"multi-turn: {len(CONVERSATIONS)} conversations, {turns} turns (offline classifier)")
    shares = f"route {routes / turns:.1%}  intent {intents / turns:.1%}  both {both / turns:.1%}"
    print(f"per turn: {shares}")
    print("misses by expected label: " + ", ".join(f"{k} {v}" for k, v in sorted(misses.items())))


if __name__ == "__main__":
    main()
