"""The linear half of the text model: hashed character n-gram TF-IDF with one logistic
regression per head.

Hashing keeps the artifact small and free of a vocabulary file (and of pickle): the
shipped state is an IDF vector plus one weight matrix per head, stored as plain arrays.
It complements the transformer: n-grams memorise surface forms (spam templates, slurs,
obfuscated ads) that a small model trained from scratch learns slowly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

N_FEATURES = 2**20
# 1-4-grams with the same transformer half (29 November 2026): mean dev flag-F1 of the five sets
# 0.881 against 0.882, no set moved beyond its noise (SMS 0.929 / 0.933, harm6 0.959 / 0.958), and
# linear.npz grew from 15 to 23 MB: 1-3 stays.
NGRAMS = (1, 3)
# Inverse L2 strength of every head's regression. C=1 underfit the memorising this half is for:
# with the same transformer half (and the per-category stacker then in use), dev flag-F1 at
# C=1 / 10 / 100 was aigc 0.861 / 0.893 / 0.920, CED 0.875 / 0.903 / 0.900, COLD 0.873 / 0.881 /
# 0.882, and everyday texts flagged 9 / 8 / 5 of 143.
C = 100.0


def _vectorizer(n_features: int = N_FEATURES) -> HashingVectorizer:
    return HashingVectorizer(analyzer="char", ngram_range=NGRAMS, n_features=n_features,
                             alternate_sign=False, norm=None, lowercase=True)


@dataclass
class LinearModel:
    idf: np.ndarray  # (N_FEATURES,) float32
    coef: dict[str, np.ndarray]  # head -> (k, N_FEATURES) float32, k = 1 for binary heads
    intercept: dict[str, np.ndarray]  # head -> (k,)

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        x = _vectorizer(len(self.idf)).transform(texts).astype(np.float32)
        x.data = 1.0 + np.log(x.data)  # sublinear tf
        x = x.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms).dot(x).tocsr()

    def logits(self, texts: list[str], x: sparse.csr_matrix | None = None) -> dict[str, np.ndarray]:
        """head -> (n, k) raw scores (log-odds for binary heads, class scores for harm)."""
        if x is None:
            x = self.features(texts)
        z = np.asarray(x @ self._stacked)
        out, lo = {}, 0
        for h in self.coef:
            k = len(self.intercept[h])
            out[h] = z[:, lo:lo + k] + self.intercept[h]
            lo += k
        return out

    @cached_property
    def _stacked(self) -> np.ndarray:
        """Every head's weights side by side, (N_FEATURES, outputs), C-contiguous, built at the
        first scoring (a model is not changed once trained): one sparse x dense product per
        batch, where ``coef[h].T`` is a strided view that scipy copied (24 MB) on every call."""
        return np.ascontiguousarray(np.concatenate([self.coef[h] for h in self.coef]).T)

    def save(self, path: Path) -> None:
        arrays = {"idf": self.idf.astype(np.float16)}
        for h in self.coef:
            c = sparse.csr_matrix(self.coef[h])
            arrays[f"coef_{h}_data"] = c.data.astype(np.float16)
            arrays[f"coef_{h}_indices"] = c.indices.astype(np.int32)
            arrays[f"coef_{h}_indptr"], arrays[f"icpt_{h}"] = c.indptr.astype(np.int32), self.intercept[h]
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> "LinearModel":
        z = np.load(path)
        heads = sorted({k[5:-5] for k in z.files if k.startswith("coef_") and k.endswith("_data")})
        coef, icpt = {}, {}
        for h in heads:
            indptr = z[f"coef_{h}_indptr"]
            m = sparse.csr_matrix((z[f"coef_{h}_data"].astype(np.float32), z[f"coef_{h}_indices"], indptr),
                                  shape=(len(indptr) - 1, len(z["idf"])))
            coef[h] = m.toarray().astype(np.float32)
            icpt[h] = z[f"icpt_{h}"].astype(np.float32)
        return cls(z["idf"].astype(np.float32), coef, icpt)


def fit_idf(texts: list[str], n_features: int = N_FEATURES) -> np.ndarray:
    df = np.bincount((_vectorizer(n_features).transform(texts) > 0).tocsr().indices, minlength=n_features)
    n = len(texts)
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


def train_linear(by_head: dict[str, tuple[list[str], list[int]]], all_texts: list[str],
                 c: float = C, n_features: int = N_FEATURES) -> LinearModel:
    """One logistic regression per head on that head's rows; IDF from every training text."""
    model = LinearModel(fit_idf(all_texts, n_features), {}, {})
    for head, (texts, ys) in by_head.items():
        x = model.features(texts)
        y = np.asarray(ys)
        lr = LogisticRegression(C=c, max_iter=2000, class_weight=None)
        lr.fit(x, y)
        model.coef[head] = lr.coef_.astype(np.float32)
        model.intercept[head] = lr.intercept_.astype(np.float32)
    return model
