"""The invisible mark on generated images, under the attacks the issue names."""

from __future__ import annotations

import json

import numpy as np
import pytest

from watermark import bench, invisible, marks, samples

PAYLOAD = bytes.fromhex("a1b2c3d4e5f60718")


@pytest.fixture(scope="module")
def marked():
    out = []
    for i, kind in enumerate(("texture", "text", "gradient")):
        img = samples.make_image(kind, 500 + i)
        out.append((img, invisible.embed(img, PAYLOAD)))
    return out


def _bits_ok(arr: np.ndarray) -> float:
    r = invisible.detect(np.ascontiguousarray(arr))
    if r.bits is None:
        return 0.0
    return float(np.mean(r.bits[:64] == invisible.payload_bits(PAYLOAD)[:64]))


def test_embed_keeps_input_and_quality(marked):
    for img, m in marked:
        assert not np.array_equal(img, m)
        assert bench.psnr(img, m) >= 38.0
    img = samples.make_image("shapes", 1)
    copy = img.copy()
    invisible.embed(img, PAYLOAD)
    assert np.array_equal(img, copy)


@pytest.mark.parametrize("attack", ["none", "jpeg75", "resize0.5", "crop10", "screenshot"])
def test_survives(marked, attack):
    atk = bench.attacks(3)[attack]
    for _, m in marked:
        assert _bits_ok(atk(m)) >= 0.98, attack


def test_present_only_when_marked(marked):
    for img, m in marked:
        assert not invisible.detect(img).present
        r = invisible.detect(m)
        assert r.present and r.payload == PAYLOAD and r.crc_ok


def test_payload_carries_label_and_id():
    p = marks.payload_for("item-1", "2")
    reading = marks.parse_payload(p, 10.0)
    assert reading.label == "2" and reading.matches("item-1") and not reading.matches("item-2")
    assert marks.parse_payload(b"\x00" * 8, 10.0) is None
    with pytest.raises(ValueError):
        marks.payload_for("x", "4")


def test_tiny_and_odd_inputs():
    with pytest.raises(ValueError):
        invisible.embed(np.zeros((50, 50, 3), np.uint8), PAYLOAD)
    assert not invisible.detect(np.zeros((30, 30, 3), np.uint8)).present
    assert not invisible.detect(np.zeros((300, 300, 3), np.uint8)).present  # flat black
    assert marks.read_mark(b"not an image") is None


@pytest.mark.slow
def test_bench_short_meets_goals(capsys):
    assert bench.main(["--short", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    acc = result["bit_accuracy"]
    assert result["images"] == 12 and set(acc) == {"none", "jpeg75", "resize0.5", "crop10"}
    for attack in ("jpeg75", "resize0.5", "crop10"):
        assert acc[attack]["mean"] >= 0.99, (attack, acc[attack])
    assert result["psnr_db"]["mean"] >= 38.0
    assert result["false_positives_unmarked"] == 0
