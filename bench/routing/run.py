"""Route and label accuracy, confusion matrix and latency of the offline analyzer.

Run: `.venv/bin/python -m bench.routing.run`. The evaluation set never overlaps the
training examples; the score on the training examples is printed separately.
"""

import statistics
import time
from collections import Counter

from activities.agents.analyzer import KeywordAnalyzer
from activities.agents.classifier import ClassifierAnalyzer
from activities.agents.liaisons import default_liaisons
from bench.routing.eval_set import EVAL
from models.agents import Analysis, Route, TurnContext
from models.files import FileRef

LIAISONS = default_liaisons()
ROUTES = {name: label.route for name, label in LIAISONS.labels.items()} | {"clarify": Route.CLARIFY}
ATTACHED = FileRef(file_id="f" * 32, name="data.csv", size=1, sha256="0" * 64, content_type="")


def label_of(analysis: Analysis, text: str) -> str:
    """The label an analysis stands for: its route and liaisons, and for the guide's own
    answers, which answer it gave (each label's reply is its own)."""
    if analysis.route is Route.CLARIFY:
        return "clarify"
    said = analysis.recommendation.text if analysis.recommendation else ""
    for name, label in LIAISONS.labels.items():
        if (label.route, list(label.pillars)) != (analysis.route, analysis.pillars):
            continue
        if label.answer is None or analysis.pillars:
            return name
        if label.answer(TurnContext(text=text), LIAISONS.catalog).text == said:
            return name
    return "unknown"


def evaluate(
    analyzer: object, cases: list[tuple[str, str, bool]]
) -> tuple[float, float, Counter[tuple[str, str]], list[float]]:
    routes = labels = 0
    confusion: Counter[tuple[str, str]] = Counter()
    latencies = []
    for text, expected, attached in cases:
        context = TurnContext(text=text, attached=[ATTACHED] if attached else [])
        started = time.perf_counter()
        analysis = analyzer.analyze(context)  # type: ignore[attr-defined]
        latencies.append((time.perf_counter() - started) * 1000)
        got = label_of(analysis, text)
        confusion[(expected, got)] += 1
        labels += got == expected
        routes += analysis.route is ROUTES[expected]
    return routes / len(cases), labels / len(cases), confusion, latencies


def main() -> None:
    started = time.perf_counter()
    classifier = ClassifierAnalyzer()
    training_ms = (time.perf_counter() - started) * 1000
    examples = LIAISONS.examples()
    training = [(t, label, label == "upload") for label, texts in examples.items() for t in texts]
    print(f"training: {len(training)} examples in {training_ms:.0f} ms")
    print(f"evaluation: {len(EVAL)} utterances, none among the training examples")
    assert not {t for t, _, _ in EVAL} & {t for t, _, _ in training}
    for name, analyzer in (("classifier", classifier), ("keyword baseline", KeywordAnalyzer())):
        route, label, confusion, latencies = evaluate(analyzer, EVAL)
        ordered = sorted(latencies)
        p99 = ordered[int(0.99 * (len(ordered) - 1))]
        print(
            f"{name:17} route {route:.1%}  label {label:.1%}  "
            f"latency p50 {statistics.median(latencies):.2f} ms  p99 {p99:.2f} ms"
        )
        if analyzer is classifier:
            train_route, train_label, _, _ = evaluate(classifier, training)
            print(f"{'  on training':17} route {train_route:.1%}  label {train_label:.1%}")
            names = sorted(ROUTES)
            print("confusion (rows: expected, columns: got)")
            print(" " * 13 + " ".join(f"{n[:8]:>8}" for n in names))
            for expected in names:
                row = " ".join(f"{confusion[(expected, got)]:>8}" for got in names)
                print(f"{expected[:12]:>12} {row}")


if __name__ == "__main__":
    main()
