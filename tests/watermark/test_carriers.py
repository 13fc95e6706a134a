"""Round trips for every carrier format, each written on its own by a writer
other than ours where one exists (Pillow's own XMP/iTXt/tEXt/EXIF writers, a
hand-built MP4 mdta key list, c2pa-python), then read with ``detect_aigc``."""

from __future__ import annotations

import io
import json
import struct

import cv2
import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from classifiers.base import Content
from modpipe.domain import Kind
from tests.watermark.helpers import c2pa_sign, encode
from watermark import carriers, detect_aigc, frontmatter, label, mp4, xmp

OBJ = {"Label": "1", "ContentProducer": "某生成服务", "ProduceID": "gen-42", "ReservedCode1": "",
       "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
JSON = label.dumps(OBJ)


def _scan(data: bytes, kind: Kind = Kind.IMAGE):
    return detect_aigc(Content(kind=kind, data=data))


def _image(photo: np.ndarray) -> Image.Image:
    return Image.fromarray(photo)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_xmp_in_jpeg_and_webp(photo, fmt):
    buf = io.BytesIO()
    _image(photo).save(buf, fmt, xmp=xmp.build(json.dumps(OBJ, ensure_ascii=False)))
    f = _scan(buf.getvalue())
    assert f.label == "1" and f.found_in == ["xmp"] and f.metadata == OBJ and f.errors == []


def test_xmp_in_png_itxt(photo):
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.build(JSON).decode())
    buf = io.BytesIO()
    _image(photo).save(buf, "PNG", pnginfo=info)
    f = _scan(buf.getvalue())
    assert f.label == "1" and f.found_in == ["xmp"] and f.metadata == OBJ


def test_png_text_key_aigc(photo):
    info = PngInfo()
    info.add_text("AIGC", JSON)
    buf = io.BytesIO()
    _image(photo).save(buf, "PNG", pnginfo=info)
    f = _scan(buf.getvalue())
    assert f.found_in == ["png:tEXt"] and f.metadata == OBJ


@pytest.mark.parametrize("encoding", ["ascii", "unicode"])
def test_exif_user_comment(photo, encoding):
    exif = Image.Exif()
    text = JSON if encoding == "unicode" else label.dumps({**OBJ, "ContentProducer": "gen-co"})
    exif.get_ifd(carriers.EXIF_IFD)[carriers.USER_COMMENT] = carriers.encode_user_comment(text)
    buf = io.BytesIO()
    _image(photo).save(buf, "JPEG", exif=exif)
    f = _scan(buf.getvalue())
    assert f.found_in == ["exif:UserComment"] and f.label == "1"
    assert f.metadata["ContentProducer"] == ("某生成服务" if encoding == "unicode" else "gen-co")


def test_malformed_label_in_png_reported(photo):
    info = PngInfo()
    info.add_text("AIGC", '{"AIGC": {"Label": "9", ')
    buf = io.BytesIO()
    _image(photo).save(buf, "PNG", pnginfo=info)
    f = _scan(buf.getvalue())
    assert f.label is None and f.found_in == []
    assert f.errors and f.errors[0].startswith("png:tEXt: AIGC label is not valid JSON")


def test_mp4_udta_round_trip_moov_at_end(video_bytes):
    assert _scan(video_bytes, Kind.VIDEO).label is None
    labelled = mp4.write_label(video_bytes, JSON)
    f = _scan(labelled, Kind.VIDEO)
    assert f.found_in == ["mp4:udta"] and f.metadata == OBJ
    # Writing again replaces, not duplicates.
    again = mp4.write_label(labelled, label.dumps({**OBJ, "Label": "2"}))
    assert [h.metadata["Label"] for h in carriers.read_all(again)] == ["2"]


def _faststart(data: bytes) -> bytes:
    """Move moov before mdat (what ``-movflags faststart`` does), fixing chunk offsets."""
    top = {k: (s, e) for k, s, _, e in mp4.boxes(data)}
    ms, me = top[b"moov"]
    moov = bytearray(data[ms:me])
    mp4._shift_offsets(moov, me - ms, 8, len(moov))
    rest = b"".join(data[s:e] for k, s, _, e in mp4.boxes(data) if k != b"moov" and k != b"ftyp")
    fs, fe = top[b"ftyp"]
    return data[fs:fe] + bytes(moov) + rest


def _frames(data: bytes, tmp_path, name: str) -> list[np.ndarray]:
    path = tmp_path / name
    path.write_bytes(data)
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame)
    cap.release()
    return out


def test_mp4_udta_faststart_keeps_video_decodable(video_bytes, tmp_path):
    fast = _faststart(video_bytes)
    before = _frames(fast, tmp_path, "a.mp4")
    assert len(before) == 40
    labelled = mp4.write_label(fast, JSON)
    assert _scan(labelled, Kind.VIDEO).metadata == OBJ
    after = _frames(labelled, tmp_path, "b.mp4")
    assert len(after) == 40 and all(np.array_equal(a, b) for a, b in zip(before, after, strict=False))


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_mp4_mdta_key_as_ffmpeg_writes_it(video_bytes):
    hdlr = _box(b"hdlr", b"\0" * 8 + b"mdta" + b"\0" * 13)
    key = b"AIGC"
    entry = struct.pack(">I4s", 8 + len(key), b"mdta") + key
    keys = _box(b"keys", b"\0\0\0\0" + struct.pack(">I", 1) + entry)
    data_box = _box(b"data", struct.pack(">II", 1, 0) + JSON.encode())
    ilst = _box(b"ilst", _box(struct.pack(">I", 1), data_box))
    meta = _box(b"meta", b"\0\0\0\0" + hdlr + keys + ilst)
    top = list(mp4.boxes(video_bytes))
    _, ms, mp, me = next(b for b in top if b[0] == b"moov")
    new_moov = _box(b"moov", video_bytes[mp:me] + meta)
    data = video_bytes[:ms] + new_moov + video_bytes[me:]
    f = _scan(data, Kind.VIDEO)
    assert f.found_in == ["mp4:meta"] and f.metadata == OBJ


def test_hostile_mp4_does_not_crash(video_bytes):
    broken = bytearray(video_bytes)
    top = list(mp4.boxes(video_bytes))
    ms = next(s for k, s, _, _ in top if k == b"moov")
    struct.pack_into(">I", broken, ms + 8, 0x7FFFFFFF)  # first child claims 2 GB
    f = _scan(bytes(broken), Kind.VIDEO)
    assert f.label is None
    assert f.errors and "mp4:invalid" in f.errors[0]
    for cut in (9, 100, len(video_bytes) // 2):
        _scan(video_bytes[:cut], Kind.VIDEO)  # truncated files: no exception


def test_front_matter_round_trip():
    doc = "---\ntitle: 年度报告\nAIGC: " + json.dumps(OBJ, ensure_ascii=False) + "\n---\n正文。"
    f = detect_aigc(Content(kind=Kind.TEXT, text=doc))
    assert f.found_in == ["front_matter"] and f.metadata == OBJ and f.label == "1"
    nested = "---\ntitle: t\naigc:\n  Label: '1'\n  ContentProducer: x\n---\nbody"
    f = detect_aigc(Content(kind=Kind.TEXT, text=nested))
    assert f.label == "1" and any("lacks the ProduceID" in e for e in f.errors)
    written = frontmatter.write(nested, {**OBJ, "PropagateID": "p1"})
    meta, errors = frontmatter.parse_label(written)
    assert meta["PropagateID"] == "p1" and errors == []
    assert "title: t" in written and written.endswith("body")
    bad = "---\nAIGC: [unclosed\n---\nbody"
    f = detect_aigc(Content(kind=Kind.TEXT, text=bad))
    assert f.label is None and f.errors and f.errors[0].startswith("front_matter")


@pytest.mark.parametrize("source,expect", [("trainedAlgorithmicMedia", "1"), ("digitalCapture", None)])
def test_c2pa_manifest(photo, c2pa_signer, source, expect):
    signed = c2pa_sign(c2pa_signer, encode(photo, "JPEG", quality=90), "image/jpeg", source)
    f = _scan(signed)
    assert f.label == expect
    if expect:
        assert f.found_in == ["c2pa"] and f.metadata["ContentProducer"] == "modpipe test"
        assert any("not trusted" in e for e in f.errors)  # our throwaway CA is, rightly, untrusted


def test_stray_xmp_in_another_format():
    blob = b"%PDF-1.7\n1 0 obj<<>>stream\n" + xmp.build(json.dumps(OBJ)) + b"\nendstream"
    f = detect_aigc(Content(kind=Kind.FILE, data=blob))
    assert f.found_in == ["xmp"] and f.label == "1"
