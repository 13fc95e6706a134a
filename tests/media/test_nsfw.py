"""NudeNet plumbing on synthetic pictures (no real nudity in the tests) and
the mapping from detections to categories on detection structures."""

import numpy as np

from classifiers.base import Content
from classifiers.media import NsfwClassifier, extract, synth
from classifiers.media.nsfw import PART_RULES, categorise, detect
from modpipe.domain import Category, Decision, Kind


def test_detector_runs_on_a_skin_tone_picture_and_returns_its_structure():
    rng = np.random.default_rng(1)
    skin = np.zeros((480, 360, 3), np.uint8)
    skin[:] = (224, 172, 140)
    skin[100:300, 80:280] = (198, 134, 110)
    skin = np.clip(skin.astype(np.int16) + rng.integers(-8, 8, skin.shape), 0, 255).astype(np.uint8)
    dets = detect(skin, scale=2.0)
    assert isinstance(dets, list)
    for d in dets:
        assert set(d) == {"class", "score", "box"}
        assert 0.0 <= d["score"] <= 1.0
        x0, y0, x1, y1 = d["box"]
        assert 0 <= x0 <= x1 <= 720 and 0 <= y0 <= y1 <= 960  # scaled back to the original
    # a flat colour and a tiny image do not crash it
    assert isinstance(detect(np.zeros((20, 20, 3), np.uint8)), list)
    assert detect(np.zeros((4, 4, 3), np.uint8)) == []


def test_extract_fills_the_nsfw_signal_for_a_photo():
    c = Content(kind=Kind.IMAGE, data=synth.encode(synth.photo_like((320, 240), seed=4), "JPEG"))
    extract(c)
    assert "nsfw" in c.signals and isinstance(c.signals["nsfw"], list)
    for d in c.signals["nsfw"]:
        assert d["time"] is None and len(d["box"]) == 4
    for r in NsfwClassifier().classify(c):
        assert r.category in NsfwClassifier.categories and r.floor != Decision.BLOCK


def test_exposed_parts_are_porn_and_covered_parts_are_sexual_suggestion():
    f = categorise([{"class": "MALE_GENITALIA_EXPOSED", "score": 0.8, "box": [0, 0, 1, 1]}])
    assert f[Category.PORN_GAMBLING_VIOLENCE].floor == Decision.BLOCK
    assert f[Category.PORN_GAMBLING_VIOLENCE].score == 0.8
    f = categorise([{"class": "FEMALE_BREAST_COVERED", "score": 0.9, "box": [0, 0, 1, 1]}])
    assert list(f) == [Category.SPAM_ADS_SEXUAL] and f[Category.SPAM_ADS_SEXUAL].floor == Decision.PASS
    assert categorise([{"class": "FACE_MALE", "score": 0.99, "box": [0, 0, 1, 1]}]) == {}
    assert categorise([{"class": "ANUS_EXPOSED", "score": 0.2, "box": [0, 0, 1, 1]}]) == {}  # below noise floor


def test_two_exposed_parts_score_higher_than_one():
    one = categorise([{"class": "BUTTOCKS_EXPOSED", "score": 0.6, "box": [0, 0, 1, 1]}])
    two = categorise([{"class": "BUTTOCKS_EXPOSED", "score": 0.6, "box": [0, 0, 1, 1]},
                      {"class": "FEMALE_BREAST_EXPOSED", "score": 0.6, "box": [0, 0, 1, 1]}])
    assert two[Category.PORN_GAMBLING_VIOLENCE].score > one[Category.PORN_GAMBLING_VIOLENCE].score
    assert two[Category.PORN_GAMBLING_VIOLENCE].floor == Decision.REVIEW


def test_classifier_evidence_carries_boxes_and_frame_times():
    c = Content(kind=Kind.VIDEO, signals={"nsfw": [
        {"class": "FEMALE_GENITALIA_EXPOSED", "score": 0.9, "box": [10, 20, 30, 40], "time": 12.0}]})
    (r,) = NsfwClassifier().classify(c)
    assert r.category == Category.PORN_GAMBLING_VIOLENCE and r.floor == Decision.BLOCK
    (e,) = r.evidence
    assert e.source == "nsfw" and e.box == (10.0, 20.0, 30.0, 40.0) and e.time == 12.0


def test_every_rule_names_a_nudenet_class():
    from nudenet import nudenet as nn

    labels = set(getattr(nn, "__labels"))
    assert set(PART_RULES) <= labels


def test_vectorised_postprocess_matches_nudenets_own():
    from nudenet import nudenet as nn

    from classifiers.media.nsfw import _postprocess

    rng = np.random.default_rng(0)
    for _ in range(10):
        out = rng.random((1, 22, 2100)).astype(np.float32)
        out[0, :4] *= 320
        out[0, 4:] *= rng.random() * 0.5
        w, h = int(rng.integers(50, 900)), int(rng.integers(50, 900))
        side = max(w, h)
        ref = nn._postprocess([out], side - w, side - h, 1, 1, w, h, 320, 320)
        mine = _postprocess(out, side, w, h, 1.0)
        assert [d["class"] for d in mine] == [d["class"] for d in ref]
        for a, b in zip(mine, ref):
            assert a["score"] == round(b["score"], 4)
            x, y, bw, bh = b["box"]
            assert np.allclose(a["box"], [x, y, x + bw, y + bh], atol=1)
