"""Similarity to moderator-confirmed examples, for categories with little or no labelled data.

The bank is ``exemplars.jsonl`` beside the model (``{"text", "category", "source"}`` rows:
every positive moderator row for a category without a trained head, added by ``modpipe
train --extra``; empty as shipped, since no shared data set labels those categories). Texts are compared as
hashed character 1-3-gram TF-IDF vectors (the linear model's features), so a match means
a near-copy or a light rewrite of a confirmed item, not a topic resemblance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modpipe.domain import Category

MIN_SIMILARITY = 0.6  # below this a match is not evidence
MIN_CHARS = 6  # shorter texts match too much by chance


@dataclass(frozen=True)
class ExemplarHit:
    category: Category
    similarity: float
    exemplar: str
    source: str


class ExemplarBank:
    def __init__(self, rows: list[dict], featurize) -> None:
        self.rows = [r for r in rows if len(r.get("text", "")) >= MIN_CHARS]
        self._featurize = featurize
        self._x = featurize([r["text"] for r in self.rows]) if self.rows else None

    @classmethod
    def load(cls, path: Path, featurize) -> "ExemplarBank":
        rows = []
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    r = json.loads(line)
                    Category.parse(r["category"])
                    rows.append(r)
        return cls(rows, featurize)

    def __len__(self) -> int:
        return len(self.rows)

    def best(self, texts: list[str]) -> list[dict[Category, ExemplarHit]]:
        """Per text, the most similar exemplar of each category (only those >= MIN_SIMILARITY)."""
        out: list[dict[Category, ExemplarHit]] = [{} for _ in texts]
        if self._x is None or not texts:
            return out
        sims = (self._featurize(texts) @ self._x.T).toarray()
        for i, text in enumerate(texts):
            if len(text) < MIN_CHARS:
                continue
            for j in np.nonzero(sims[i] >= MIN_SIMILARITY)[0]:
                r = self.rows[j]
                cat = Category(r["category"])
                s = float(sims[i, j])
                if cat not in out[i] or s > out[i][cat].similarity:
                    out[i][cat] = ExemplarHit(cat, s, r["text"], r.get("source", "moderator"))
        return out


def similarity_score(sim: float) -> float:
    """Map cosine similarity to a category score: 0.6 -> 0.5 (review), 0.95+ -> 0.95."""
    return float(min(0.95, max(0.0, 0.5 + (sim - MIN_SIMILARITY) * (0.45 / 0.35))))
