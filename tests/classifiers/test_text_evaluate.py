"""The per-set baseline of `classifiers.text.evaluate`: its F1, and what it does to innocent everyday texts."""

import numpy as np

from classifiers.text.data import Row
from classifiers.text.evaluate import baseline, f1_gap_interval

LONG_OK = "今天社区组织了一次植树活动，志愿者们带着孩子一起在公园里种下了三十棵树苗，大家分工合作，气氛非常好。"
SHORT_BAD = ["滚吧你", "去死吧你", "你个傻子", "闭嘴吧你", "蠢货一个", "脑子有病"]


def _rows(n: int) -> list[Row]:
    rows = []
    for i in range(n):
        rows.append(Row(f"{SHORT_BAD[i % len(SHORT_BAD)]}{i}", "harm6", "harm", 1, 4))
        rows.append(Row(f"{LONG_OK}第{i}次", "harm6", "harm", 0, 0))
    return rows


def test_a_per_set_baseline_that_learned_length_flags_short_everyday_texts():
    everyday = [Row(t, "everyday", None, 0) for t in ("谢谢大家", "早上好", "收到了", "明天见", "辛苦了")]
    parts = {"train": _rows(40), "dev": _rows(10) + everyday}
    f1, everyday_share, flags = baseline(parts, "harm6")
    assert f1 > 0.9 and len(flags) == 20  # its own dev rows; on them the shortcut works
    assert everyday_share >= 0.8  # and every short innocent text looks harmful to it


def test_no_everyday_rows_means_no_everyday_figure():
    f1, everyday_share, _ = baseline({"train": _rows(20), "dev": _rows(5)}, "harm6")
    assert f1 > 0.9 and everyday_share is None


def test_the_gap_interval_separates_a_real_difference_from_none():
    rng = np.random.default_rng(3)
    y = rng.random(600) < 0.4
    good = y ^ (rng.random(600) < 0.05)  # 5% of rows wrong
    poor = y ^ (rng.random(600) < 0.30)  # 30% wrong
    assert f1_gap_interval(y, good, good) == (0.0, 0.0)
    lo, hi = f1_gap_interval(y, good, poor)
    assert 0 < lo < hi
    lo, hi = f1_gap_interval(y, poor, good)
    assert lo < hi < 0
