import re

from classifiers.text import bench


def test_bench_short_prints_rates(capsys):
    assert bench.main(["--short"]) == 0
    out = capsys.readouterr().out
    model, path = map(float, re.search(r"text model: (\d+) texts/s; 17 category classifiers: (\d+)", out).groups())
    assert model > 0 and path > 0
