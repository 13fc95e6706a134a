"""The decision layer fitted on the calib split: blend weights, per-category calibration,
and the ``review`` / ``block`` thresholds.

Goal per category (stated in the issue): auto-block precision at least 0.97, and the
review threshold where flagging (review or block) has its best F1, so as few items go
to review as that goal allows. The block threshold is the lowest score whose precision
above it stays at or over the target with one pseudo false positive added (so a
threshold is never picked from a handful of lucky items).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression

from .data import HARM_CLASSES, Row
from .mapping import CATEGORY_SOURCES, AIGC, coverage
from .model import blend, calibrate, category_raw, head_probs_from_logits, logit

BLOCK_PRECISION = 0.97
WEIGHT_GRID = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)
NEVER = 1.01  # a block threshold no score reaches


@dataclass
class DecisionLayer:
    blend: dict[str, float]
    calibration: dict[str, dict[str, float]]
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)


def _head_loss(z: np.ndarray, rows: list[Row]) -> float:
    if z.shape[1] == 1:
        y = np.array([r.klass for r in rows], dtype=float)
        p = np.clip(1 / (1 + np.exp(-z[:, 0])), 1e-6, 1 - 1e-6)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    zz = z - z.max(axis=1, keepdims=True)
    logp = zz - np.log(np.exp(zz).sum(axis=1, keepdims=True))
    return float(-np.mean(logp[np.arange(len(rows)), [r.klass for r in rows]]))


def fit_blend(net: dict[str, np.ndarray], lin: dict[str, np.ndarray], rows: list[Row]) -> dict[str, float]:
    """Per head, the transformer share that minimises log-loss on that head's calib rows."""
    weights = {}
    for head in lin:
        idx = [i for i, r in enumerate(rows) if r.head == head]
        if not idx:
            weights[head] = 0.5
            continue
        sub = [rows[i] for i in idx]
        losses = {w: _head_loss(w * net[head][idx] + (1 - w) * lin[head][idx], sub) for w in WEIGHT_GRID}
        weights[head] = min(losses, key=losses.get)
    return weights


def _fit_platt(raw: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if len(set(y.tolist())) < 2:
        return {"a": 1.0, "b": 0.0}
    lr = LogisticRegression(C=100.0).fit(logit(raw).reshape(-1, 1), y)
    return {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}


def choose_thresholds(score: np.ndarray, y: np.ndarray, precision: float = BLOCK_PRECISION) -> dict[str, float]:
    """Lowest block threshold meeting the precision goal; review threshold at best flag-F1 below it."""
    order = np.argsort(-score)
    s, yy = score[order], y[order]
    tp = np.cumsum(yy)
    k = np.arange(1, len(s) + 1)
    # only cut between distinct scores
    last = np.r_[s[1:] != s[:-1], True]
    prec_ok = (tp / (k + 1) >= precision) & last & (tp >= 3)
    block = float(s[np.nonzero(prec_ok)[0].max()]) if prec_ok.any() else NEVER
    pos = max(int(yy.sum()), 1)
    f1 = np.where(last, 2 * tp / (k + pos), -1)
    best = int(np.argmax(np.where(s <= block, f1, -1))) if (s <= block).any() else 0
    review = min(float(s[best]), block)
    return {"review": round(review, 6), "block": round(block, 6)}


def fit_decision_layer(net: dict[str, np.ndarray], lin: dict[str, np.ndarray], rows: list[Row],
                       weights: dict[str, float] | None = None) -> DecisionLayer:
    weights = weights if weights is not None else fit_blend(net, lin, rows)
    raw = category_raw(head_probs_from_logits(blend(net, lin, weights)))
    cover = [coverage(r) for r in rows]
    calib, thresholds = {}, {}
    for cat in list(CATEGORY_SOURCES) + [AIGC]:
        idx = [i for i, c in enumerate(cover) if cat in c]
        if not idx:
            continue
        y = np.array([cover[i][cat] for i in idx])
        calib[cat] = _fit_platt(raw[cat][idx], y)
    cal = calibrate(raw, calib)
    for cat in calib:
        idx = [i for i, c in enumerate(cover) if cat in c]
        y = np.array([cover[i][cat] for i in idx])
        thresholds[cat] = choose_thresholds(cal[cat][idx], y)
    return DecisionLayer(weights, calib, thresholds)


def category_scores(net: dict[str, np.ndarray], lin: dict[str, np.ndarray], layer: DecisionLayer) -> dict[str, np.ndarray]:
    return calibrate(category_raw(head_probs_from_logits(blend(net, lin, layer.blend))), layer.calibration)


__all__ = ["DecisionLayer", "fit_decision_layer", "choose_thresholds", "category_scores", "HARM_CLASSES"]
