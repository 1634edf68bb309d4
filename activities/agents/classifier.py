"""The offline analyzer: a character n-gram TF-IDF model trained at start-up.

Deterministic, no network, trained from the liaison modules' examples in a few milliseconds. It is
numpy only: scikit-learn would do the same, but importing it alone takes 1.2 s on these
machines, longer than the whole analyzer may take to start.
"""

import math
from collections import Counter

import numpy as np

from activities.agents.analyzer import decide
from activities.agents.liaisons import InvalidLiaison, Liaisons, default_liaisons
from activities.agents.slots import extract, names_files, normalize, ordinal
from models.agents import Analysis, TurnContext

NGRAMS = (2, 3, 4, 5)
NEIGHBOURS = 3
SHARPNESS = 14.0
"""How strongly the class scores separate in the softmax (tuned on the examples)."""
FAMILIAR = 0.25
"""Below this similarity to anything seen, a message is unfamiliar: confidence drops."""
ANSWER_THRESHOLD = 0.4
"""Answering the guide's question takes less confidence: the options narrow it down. The
likeliest reading must be one of them: a new request or nonsense is not an answer."""


def _features(text: str) -> Counter[str]:
    """Character n-grams inside word boundaries (robust to typos) plus whole words."""
    padded = f" {normalize(text)} "
    grams: Counter[str] = Counter(padded.split())
    for n in NGRAMS:
        grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class ClassifierAnalyzer:
    """Nearest examples by cosine similarity, one score per label, softmax confidence."""

    def __init__(
        self,
        examples: dict[str, list[str]] | None = None,
        threshold: float = 0.5,
        liaisons: Liaisons | None = None,
    ) -> None:
        self._liaisons = liaisons or default_liaisons()
        examples = examples or self._liaisons.examples()
        unplanned = sorted(set(examples) - set(self._liaisons.labels))
        if unplanned:
            raise InvalidLiaison(f"examples for labels without a plan: {unplanned}")
        self._threshold = threshold
        documents = [(label, text) for label, texts in examples.items() for text in texts]
        counts = [_features(text) for _, text in documents]
        frequency: Counter[str] = Counter(gram for grams in counts for gram in grams)
        self._vocabulary = {gram: index for index, gram in enumerate(sorted(frequency))}
        total = len(documents)
        self._idf = np.array(
            [math.log((1 + total) / (1 + frequency[g])) + 1 for g in sorted(frequency)],
            dtype=np.float32,
        )
        self._labels = sorted(examples)
        self._columns = np.zeros((len(self._vocabulary), total), dtype=np.float32)
        """One row per n-gram, one column per example: a message's few grams pick rows."""
        for column, grams in enumerate(counts):
            indices, values = self._weights(grams)
            self._columns[indices, column] = values
        self._rows = {
            label: np.array([i for i, (owner, _) in enumerate(documents) if owner == label])
            for label in self._labels
        }

    def _weights(self, grams: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """A text's known n-grams (vocabulary rows) and their unit-length TF-IDF weights."""
        known = [
            (index, 1 + math.log(count))
            for gram, count in grams.items()
            if (index := self._vocabulary.get(gram)) is not None
        ]
        indices = np.array([index for index, _ in known], dtype=np.intp)
        values = np.array([tf for _, tf in known], dtype=np.float32) * self._idf[indices]
        norm = float(np.sqrt(np.square(values).sum()))
        return indices, values / norm if norm else values

    def scores(self, text: str) -> dict[str, float]:
        """Each label's probability for `text`, tempered by how familiar it looks.

        Cosine similarity over the message's own n-grams only, with plain numpy sums:
        a dense matrix-vector product went through multi-threaded BLAS, whose idle
        threads spin and took a whole core from the worker between turns.
        """
        indices, values = self._weights(_features(text))
        similarities = (self._columns[indices] * values[:, None]).sum(axis=0)
        strength = np.array(
            [
                np.sort(similarities[self._rows[label]])[-NEIGHBOURS:].mean()
                for label in self._labels
            ]
        )
        weights = np.exp(SHARPNESS * (strength - strength.max()))
        probabilities = weights / weights.sum()
        familiarity = min(1.0, float(similarities.max()) / FAMILIAR)
        return {
            label: float(p) * familiarity
            for label, p in zip(self._labels, probabilities, strict=True)
        }

    def analyze(self, context: TurnContext) -> Analysis:
        """The likeliest label routes the message; below the threshold the guide asks.

        A message answering the guide's last question ("the first one", "insights")
        resolves to one of the options it offered.
        """
        scores = self.scores(context.text)
        ranked = sorted(scores, key=lambda label: -scores[label])
        label, confidence = ranked[0], round(scores[ranked[0]], 3)
        slots = extract(context)
        rationale = f"classified as {label} (p={confidence:.2f})" + "".join(
            f"; {key}: {value}" for key, value in slots.items()
        )
        chosen = answer_to(context, scores)
        if chosen is not None:
            label, confidence = chosen, max(confidence, self._threshold)
            rationale = f"answer to the guide's question: {chosen}; {rationale}"
        elif confidence < self._threshold:
            return decide("clarify", confidence, context, rationale, ranked[:3], self._liaisons)
        return decide(label, confidence, context, rationale, None, self._liaisons)


def answer_to(context: TurnContext, scores: dict[str, float]) -> str | None:
    """The option a reply picks: by position ("the second one") or by meaning (the likeliest
    label, when it is one of the options)."""
    options = context.pending_options
    if not options:
        return None
    position = ordinal(context.text)
    if position is not None and position < len(options) and not names_files(context.text):
        return options[position]
    best = max(scores, key=lambda label: scores[label])
    return best if best in options and scores[best] >= ANSWER_THRESHOLD else None
