"""The benchmark's short mode runs and prints its figures; the evaluation measures the shared data."""

import re

import pytest

from rules import bench
from rules.datasets import rows, split_of
from rules.evaluate import evaluate


@pytest.mark.slow
def test_bench_short_prints_figures(capsys):
    assert bench.main(["--short"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"raw ahocorasick-rs, one call per text\s+[\d,]+ texts/s\s+[\d.]+ MB/s", out)
    assert re.search(r"rules scan, batches of 1000, all normalisations\s+[\d,]+ texts/s", out)
    assert re.search(r"rules / best raw: \d\.\d\d", out)
    terms = int(re.search(r"(\d+) keyword terms", out).group(1))
    assert terms > 50_000


def test_split_is_deterministic_and_halves():
    texts = [r.text for r in rows()][:4000]
    assert [split_of(t) for t in texts] == [split_of(t) for t in texts]
    share = sum(split_of(t) == "eval" for t in texts) / len(texts)
    assert 0.4 < share < 0.6


@pytest.mark.slow
def test_eval_half_false_positive_rate(default_rules):
    res = evaluate("eval", default_rules)
    total = res["clean_total"]
    assert total["rows"] > 15_000
    assert total["blocked"] < 0.005  # fewer than 1 in 200 clean texts blocked
    assert total["any_hit"] < 0.2
    gamble = res["flagged"]["chineseharm_bench:博彩"]
    assert gamble["any_hit"] > 0.1
