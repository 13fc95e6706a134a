import json
import shutil

import numpy as np
import pytest

from classifiers.text.calibration import choose_thresholds, fit_sources
from classifiers.text.data import HARM_CLASSES, Row, load_rows, part_of, split
from classifiers.text.mapping import CATEGORY_SOURCES
from classifiers.text.model import DEFAULT_DIR, TextModel, calibrate


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


def _probs(n: int, rng) -> dict:
    p = {h: rng.uniform(0.01, 0.99, n) for h in ("offensive", "sexism", "spam", "rumor", "aigc")}
    harm = rng.dirichlet(np.ones(len(HARM_CLASSES)), n)
    p.update({f"harm:{c}": harm[:, i] for i, c in enumerate(HARM_CLASSES)})
    return p


def test_a_category_takes_the_largest_of_its_calibrated_sources():
    probs = _probs(50, np.random.default_rng(1))
    identity = {name: {"a": 1.0, "b": 0.0} for name in probs}
    cat = calibrate(probs, identity)
    want = np.maximum.reduce([probs[s] for s in CATEGORY_SOURCES["spam_ads_sexual"]])
    assert np.allclose(cat["spam_ads_sexual"], np.minimum(want, 0.9999), atol=1e-6)
    shifted = calibrate(probs, {**identity, "spam": {"a": 1.0, "b": 3.0}})  # only the spam source moves
    assert (shifted["spam_ads_sexual"] >= cat["spam_ads_sexual"]).all()
    assert np.array_equal(shifted["rumor_disorder"], cat["rumor_disorder"])


def test_each_source_is_calibrated_on_its_own_heads_rows_only():
    rng = np.random.default_rng(2)
    n = 3000
    probs = _probs(n, rng)
    # spam rows: the label follows the spam output, but the head is overconfident (true rate = p**2)
    heads = np.where(np.arange(n) < n // 2, "spam", "rumor")
    labels = np.where(heads == "spam", rng.random(n) < probs["spam"] ** 2, rng.random(n) < 0.5).astype(int)
    rows = [Row(f"t{i}", "x", str(h), int(y), int(y)) for i, (h, y) in enumerate(zip(heads, labels))]
    fitted = fit_sources(probs, rows)
    assert fitted["spam"]["a"] > 1.0 and fitted["spam"]["b"] < 0  # sharper and lower: it was overconfident
    assert abs(fitted["rumor"]["a"]) < 0.3  # the rumour labels ignore the rumour output: nearly flat
    assert "harm:fraud" not in fitted  # no harm rows: the harm outputs stay uncalibrated


def test_an_artifact_with_the_old_per_category_stacker_is_refused_by_name(tmp_path):
    for f in DEFAULT_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    cfg = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    cfg["calibration"]["spam_ads_sexual"] = {"inputs": ["spam"], "w": [1.0], "b": 0.0}
    (tmp_path / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match="spam_ads_sexual.*retrain"):
        TextModel(tmp_path)
