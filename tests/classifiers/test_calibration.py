import numpy as np

from classifiers.text.calibration import choose_thresholds
from classifiers.text.data import load_rows, part_of, split


def test_block_threshold_meets_the_precision_goal_and_review_sits_below():
    rng = np.random.default_rng(0)
    y = rng.random(4000) < 0.3
    score = np.clip(np.where(y, rng.normal(0.7, 0.2, y.size), rng.normal(0.3, 0.2, y.size)), 0, 1)
    t = choose_thresholds(score, y.astype(int))
    blocked = score >= t["block"]
    assert blocked.sum() > 50 and y[blocked].mean() >= 0.97
    assert t["review"] < t["block"]

    def f1(th):
        flagged = score >= th
        return 2 * (y & flagged).sum() / (y.sum() + flagged.sum())

    best = max(f1(th) for th in np.unique(score) if th <= t["block"])
    assert f1(t["review"]) == best


def test_unreachable_precision_means_never_block():
    y = np.array([1, 0] * 50)
    t = choose_thresholds(np.full(100, 0.5), y)
    assert t["block"] == 1.0


def test_split_is_deterministic_and_groupwise_for_aigc():
    rows = [r for r in load_rows() if r.dataset == "aigc_zh"]
    parts = {}
    for r in rows:
        parts.setdefault(r.key, set()).add(part_of(r))
    assert all(len(p) == 1 for p in parts.values())  # a human text and its AI rewrite stay together
    s = split(rows)
    assert 0.1 < len(s["dev"]) / len(rows) < 0.2 and 0.05 < len(s["calib"]) / len(rows) < 0.15
    assert [part_of(r) for r in rows[:50]] == [part_of(r) for r in rows[:50]]
