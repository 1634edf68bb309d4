"""Journey benchmark: the SOP reader against hand-written gold, per style, with its baseline.

    .venv/bin/python -m bench.journey.run [--corpus heldout] [--style prose] [--show NAME]

The corpus (`bench/journey/corpus/<style>.yaml`) was written for the project: each SOP
with its gold steps, decisions (every exclusive gateway, "repeat until" included), loop
targets and actors. A predicted element matches a gold one when their content words
overlap (Dice ≥ 0.5 over five-letter stems), one to one, best pairs first. The baseline
is the reader before issue 18 (`bench/journey/baseline.py`), scored the same way in the
same run. `heldout/` holds nine more SOPs written after the reader was tuned on
`corpus/` and never used to tune it.
"""

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from temporalio.exceptions import ApplicationError

from activities.realms.journey import actor_key, parse_sop
from activities.realms.sop.build import stems
from activities.realms.sop.graph import NodeKind
from bench.journey import baseline

CORPORA = {"corpus": Path(__file__).parent / "corpus", "heldout": Path(__file__).parent / "heldout"}
ELEMENTS = ("steps", "decisions", "loops", "actors")


@dataclass
class Prediction:
    steps: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    rejected: bool = False


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    def add(self, other: "Score") -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


def load(corpus: str = "corpus") -> dict[str, list[dict[str, Any]]]:
    """Style → its SOPs with their gold."""
    folder = CORPORA[corpus]
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(folder.glob("*.yaml"))}


def reader(text: str) -> Prediction:
    try:
        flow = parse_sop(text)
    except ApplicationError:
        return Prediction(rejected=True)
    labels = {node.id: node.label for node in flow.nodes}
    return Prediction(
        steps=[n.label for n in flow.nodes if n.kind == NodeKind.TASK],
        decisions=[n.label for n in flow.nodes if n.kind == NodeKind.DECISION],
        loops=[labels[e.target] for e in flow.edges if e.loop],
        actors=flow.actors,
    )


def old_reader(text: str) -> Prediction:
    try:
        flow = baseline.parse_sop(text)
    except ApplicationError:
        return Prediction(rejected=True)
    steps: list[str] = []
    for step in flow.steps:
        if step.kind == "decision":
            steps.extend(t for t in (step.then, step.otherwise) if t)
        else:
            steps.append(step.text)
    return Prediction(
        steps=steps,
        decisions=[s.condition or "" for s in flow.steps if s.kind == "decision"],
        actors=flow.actors,
    )


def similarity(a: str, b: str) -> float:
    x, y = stems(a), stems(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def match(gold: list[str], predicted: list[str], threshold: float = 0.5) -> Score:
    """One-to-one matches, best pairs first."""
    pairs = sorted(
        ((similarity(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(predicted)),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
    return Score(len(gold), len(predicted), len(used_gold))


def _actor(name: str) -> str:
    return " ".join(w for w in actor_key(name).split() if w not in ("the", "a", "an"))


def score(doc: dict[str, Any], prediction: Prediction) -> dict[str, Score]:
    scores = {
        element: match(doc[element], getattr(prediction, element))
        for element in ("steps", "decisions", "loops")
    }
    gold_actors = {_actor(a) for a in doc["actors"]}
    predicted = {_actor(a) for a in prediction.actors}
    scores["actors"] = Score(len(gold_actors), len(predicted), len(gold_actors & predicted))
    return scores


def evaluate(
    corpus: dict[str, list[dict[str, Any]]], read: Callable[[str], Prediction]
) -> tuple[dict[str, dict[str, Score]], dict[str, int], float]:
    """Scores per style and element, rejections per style, and seconds per SOP."""
    per_style: dict[str, dict[str, Score]] = defaultdict(lambda: {e: Score() for e in ELEMENTS})
    rejected: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    count = 0
    for style, docs in corpus.items():
        for doc in docs:
            prediction = read(doc["text"])
            count += 1
            rejected[style] += prediction.rejected
            for element, value in score(doc, prediction).items():
                per_style[style][element].add(value)
    return per_style, rejected, (time.perf_counter() - started) / max(count, 1)


def table(
    title: str,
    per_style: dict[str, dict[str, Score]],
    rejected: dict[str, int],
    docs: dict[str, int],
) -> None:
    print(f"\n{title}\n")
    print("| style | SOPs | rejected | step P / R | decision P / R | loop P / R | actor P / R |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    total = {e: Score() for e in ELEMENTS}
    for style, scores in per_style.items():
        for element in ELEMENTS:
            total[element].add(scores[element])
        print(_row(style, docs[style], rejected[style], scores))
    print(_row("**all**", sum(docs.values()), sum(rejected.values()), total))


def _row(name: str, docs: int, rejected: int, scores: dict[str, Score]) -> str:
    cells = " | ".join(f"{scores[e].precision:.2f} / {scores[e].recall:.2f}" for e in ELEMENTS)
    return f"| {name} | {docs} | {rejected} | {cells} |"


def show(corpus: dict[str, list[dict[str, Any]]], name: str) -> None:
    """One SOP's prediction next to its gold, element by element."""
    doc = next(d for docs in corpus.values() for d in docs if d["name"] == name)
    prediction = reader(doc["text"])
    for element in ELEMENTS:
        print(f"{element}:\n  gold: {doc[element]}\n  read: {getattr(prediction, element)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--style")
    parser.add_argument("--show")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="corpus")
    args = parser.parse_args()
    corpus = load(args.corpus)
    if args.show:
        show(corpus, args.show)
        return
    if args.style:
        corpus = {args.style: corpus[args.style]}
    docs = {style: len(items) for style, items in corpus.items()}
    ours, rejected, seconds = evaluate(corpus, reader)
    old, old_rejected, old_seconds = evaluate(corpus, old_reader)
    table("Reader (this version), precision / recall per element:", ours, rejected, docs)
    table("Baseline (the reader before issue 18), same corpus:", old, old_rejected, docs)
    print(
        f"\n{sum(docs.values())} SOPs in {len(docs)} styles; {seconds * 1000:.1f} ms per SOP "
        f"(baseline {old_seconds * 1000:.2f} ms), first SOP included"
    )


if __name__ == "__main__":
    main()
