"""The per-set baseline of `classifiers.text.evaluate`: its F1, and what it does to innocent everyday texts."""

import numpy as np

from classifiers.text.data import Row
from classifiers.text.evaluate import _block_precision, _figures, baseline, f1_gap_interval, wilson_interval

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


def test_the_block_precision_interval_says_whether_a_few_blocks_can_tell_a_miss_from_noise():
    lo, hi = wilson_interval(75, 79)  # 0.949 on 79 blocks: the 0.97 goal is inside
    assert lo < 0.949 < 0.97 < hi
    lo, hi = wilson_interval(750, 790)  # the same share on ten times the blocks: a real miss
    assert hi < 0.97
    assert wilson_interval(20, 20)[1] == 1.0 and wilson_interval(20, 20)[0] < 1.0
    assert wilson_interval(0, 0) is None


def test_the_tables_show_each_block_precision_with_its_interval():
    y = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    blocked = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    figures = _figures(y, blocked, blocked)
    assert figures["block_precision"] == 0.75 and figures["blocked"] == 4
    lo, hi = figures["block_precision_95"]
    assert 0 < lo < 0.75 < hi < 1
    assert _block_precision(figures) == f"0.750 (4; {lo:.3f}-{hi:.3f})"
    none = _figures(y, blocked, np.zeros(6, dtype=bool))
    assert none["block_precision_95"] is None and _block_precision(none) == "-"
