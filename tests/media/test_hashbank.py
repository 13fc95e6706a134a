import io

import numpy as np
import pytest
from PIL import Image

from classifiers.base import Content
from classifiers.media import HashBankClassifier, PdqIndex, pdq_hash, synth
from classifiers.media.hashbank import hamming, hash_to_words, hex_distance
from modpipe.domain import Category, Decision, Kind


def _flip(h: str, n: int, rng) -> str:
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(h), np.uint8))
    bits[rng.choice(256, n, replace=False)] ^= 1
    return np.packbits(bits).tobytes().hex()


def test_pdq_survives_reencoding_and_resizing_but_not_a_different_picture():
    im = synth.photo_like((640, 480), seed=11)
    h, q = pdq_hash(im)
    assert len(h) == 64 and q >= 50
    buf = io.BytesIO()
    im.resize((320, 240)).save(buf, "JPEG", quality=60)
    h2, _ = pdq_hash(Image.open(io.BytesIO(buf.getvalue())))
    assert hex_distance(h, h2) <= 31
    h3, _ = pdq_hash(synth.photo_like((640, 480), seed=12))
    assert hex_distance(h, h3) > 64


def test_index_finds_exactly_what_brute_force_finds():
    rng = np.random.default_rng(3)
    base = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(3000)]
    idx = PdqIndex(tail_limit=100)
    idx.add_many((f"e{i}", h, "porn_gambling_violence", None) for i, h in enumerate(base))
    queries = [_flip(base[i], int(rng.integers(0, 40)), rng) for i in range(0, 3000, 30)]
    words = np.stack([hash_to_words(h) for h in base])
    for q in queries:
        for radius in (10, 31, 40):
            d = hamming(words, hash_to_words(q))
            want = sorted((int(d[i]), f"e{i}") for i in np.flatnonzero(d <= radius))
            got = [(m.distance, m.entry_id) for m in idx.query(q, radius)]
            assert got == want


def test_block_and_bank_at_run_time_remove_and_org_isolation():
    rng = np.random.default_rng(4)
    idx = PdqIndex(tail_limit=2)
    idx.add_many((f"p{i}", rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex(), "malware", None)
                 for i in range(50))
    h = rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()
    assert idx.query(h, 31, org_id="org-a") == []
    idx.add("a1", h, Category.SPAM_ADS_SEXUAL, "org-a")  # a moderator's "block and bank"
    near = _flip(h, 12, rng)
    (m,) = idx.query(near, 31, org_id="org-a")
    assert (m.entry_id, m.category, m.org_id, m.distance) == ("a1", "spam_ads_sexual", "org-a", 12)
    assert idx.query(near, 31, org_id="org-b") == []  # another organisation's bank is private
    assert idx.query(near, 31) == []
    for i in range(5):  # push the entry out of the tail into the tables
        idx.add(f"x{i}", rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex(), "malware", None)
    assert [x.entry_id for x in idx.query(near, 31, org_id="org-a")] == ["a1"]
    assert idx.remove("a1") and not idx.remove("a1")
    assert idx.query(near, 31, org_id="org-a") == []
    idx.add("a1", h, "spam_ads_sexual", "org-a")  # re-banking the same id replaces it
    assert len(idx) == 56 and len(idx.query(h, 0, org_id="org-a")) == 1


def test_bad_hashes_are_named():
    with pytest.raises(ValueError, match="expected 64 hex digits"):
        PdqIndex().add("x", "abc", "malware")
    with pytest.raises(ValueError, match="not hexadecimal"):
        PdqIndex().query("z" * 64, 31)


def test_classifier_blocks_a_banked_image_found_again_in_a_video_frame():
    im = synth.photo_like((400, 300), seed=21)
    h, _ = pdq_hash(im)
    idx = PdqIndex()
    idx.add("bank-7", h, "terrorism_extremism", None)
    clf = HashBankClassifier(idx)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    h2, q2 = pdq_hash(Image.open(io.BytesIO(buf.getvalue())))
    c = Content(kind=Kind.VIDEO, signals={"pdq": [{"hash": h2, "quality": q2, "time": 6.0}]})
    (r,) = clf.classify(c)
    assert r.category == Category.TERRORISM_EXTREMISM and r.floor == Decision.BLOCK and r.score == 1.0
    (e,) = r.evidence
    assert e.rule_id == "bank-7" and e.time == 6.0 and "distance" in e.detail
    flat = Content(kind=Kind.IMAGE, signals={"pdq": [{"hash": h, "quality": 20, "time": None}]})
    assert clf.classify(flat) == []  # featureless hashes are not matched


def test_queries_run_while_a_moderator_banks_hashes():
    import threading

    rng = np.random.default_rng(9)
    hashes = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(3000)]
    idx = PdqIndex(tail_limit=256)
    errors: list[BaseException] = []
    done = threading.Event()

    def reader():
        try:
            while not done.is_set():
                for m in idx.query(hashes[0], 31):
                    assert m.entry_id == "b0" and m.distance == 0
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    for i, h in enumerate(hashes):
        idx.add(f"b{i}", h, "malware")
    done.set()
    t.join()
    assert not errors
    for i in range(0, len(hashes), 100):
        assert [m.entry_id for m in idx.query(hashes[i], 0)] == [f"b{i}"]


def test_mirrored_and_rotated_reuploads_are_caught():
    from classifiers.media import extract

    im = synth.photo_like((480, 360), seed=31)
    idx = PdqIndex()
    idx.add("bank-9", pdq_hash(im)[0], "porn_gambling_violence", None)
    clf = HashBankClassifier(idx, canary=False)
    for variant in (im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), im.rotate(90, expand=True)):
        c = Content(kind=Kind.IMAGE, data=synth.encode(variant, "JPEG", quality=85))
        extract(c)
        assert len(c.signals["pdq"][0]["dihedral"]) == 7
        (r,) = clf.classify(c)
        assert r.floor == Decision.BLOCK and "rotated or mirrored" in r.evidence[0].detail
