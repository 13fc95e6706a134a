"""The per-set baseline of `classifiers.text.evaluate`: its F1, and what it does to innocent everyday texts."""

from classifiers.text.data import Row
from classifiers.text.evaluate import baseline

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
    f1, everyday_share = baseline(parts, "harm6")
    assert f1 > 0.9  # on its own set, the shortcut works
    assert everyday_share >= 0.8  # and every short innocent text looks harmful to it


def test_no_everyday_rows_means_no_everyday_figure():
    f1, everyday_share = baseline({"train": _rows(20), "dev": _rows(5)}, "harm6")
    assert f1 > 0.9 and everyday_share is None
