import json

import pytest

from classifiers.media import bench


@pytest.mark.slow
def test_short_bench_reports_every_figure(capsys):
    assert bench.main(["--short", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["images"]["images_per_s"] > 0
    assert set(report["stage_cpu_s_per_image"]) == {"decode", "ocr", "qr", "nsfw", "pdq"}
    assert report["ocr"]["char_accuracy"] >= 0.95
    assert report["video"]["realtime_factor"] > 0 and report["video"]["frames_sampled"] >= 1
    h = report["hashes"]
    found, total = map(int, h["near_copies_found"].split("/"))
    assert found == total  # multi-index hashing is exact: every near copy is found
    assert h["lookups_per_s"] > 0
