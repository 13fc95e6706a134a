"""Article 6 decisions, publishing labelled copies, and catching removed labels."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from classifiers.base import Content
from modpipe.domain import Flag, Kind
from tests.watermark.helpers import encode
from watermark import apply_labels, carriers, detect_aigc, label, visible, xmp
from watermark.finding import AigcFinding

PRODUCER = {"Label": "1", "ContentProducer": "gen-co", "ProduceID": "g-7", "ReservedCode1": "",
            "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}


def _with_xmp(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=92, xmp=xmp.build(label.dumps(PRODUCER)))
    return buf.getvalue()


def test_article6_sources():
    plain = encode(np.full((200, 200, 3), 128, np.uint8), "PNG")
    assert detect_aigc(Content(kind=Kind.IMAGE, data=plain)).label is None
    declared = detect_aigc(Content(kind=Kind.IMAGE, data=plain, declared_aigc=True))
    assert declared.label == "2" and declared.found_in == ["declared"] and declared.flags == []
    seen = detect_aigc(Content(kind=Kind.IMAGE, data=plain, texts={"ocr": "风景 疑似AI生成"}))
    assert seen.label == "3" and seen.found_in == ["visible_text"]
    text = detect_aigc(Content(kind=Kind.TEXT, text="今天天气很好。\n\n本文由人工智能生成"))
    assert text.label == "3" and text.found_in == ["visible_text"]
    # A notice buried mid-text is not a label (the rules put it at the start or end).
    mid = "开头" + "很长的正文。" * 80 + "他说AI生成的图片很多" + "很长的正文。" * 80
    assert detect_aigc(Content(kind=Kind.TEXT, text=mid)).label is None


def test_text_detector_only_ever_gives_label_3():
    c = Content(kind=Kind.TEXT, text="一段文字。", signals={"aigc_text_score": 0.97})
    f = detect_aigc(c)
    assert f.label == "3" and f.found_in == ["detector"] and f.flags == [Flag.AIGC_UNLABELED]
    assert detect_aigc(Content(kind=Kind.TEXT, text="一段文字。"), text_score=0.3).label is None
    low = Content(kind=Kind.TEXT, text="一段文字。")
    assert detect_aigc(low, text_score=0.3, text_threshold=0.2).label == "3"
    f = detect_aigc(Content(kind=Kind.TEXT, text="一段文字。", declared_aigc=True), text_score=0.99)
    assert f.label == "2" and f.flags == []  # the user marked it: not unlabelled


def test_metadata_beats_declaration(photo):
    f = detect_aigc(Content(kind=Kind.IMAGE, data=_with_xmp(photo), declared_aigc=True))
    assert f.label == "1" and f.found_in == ["xmp", "declared"]


def test_apply_image_all_three_labels_and_original_untouched(photo):
    original = _with_xmp(photo)
    snapshot = bytes(original)
    finding = detect_aigc(Content(kind=Kind.IMAGE, data=original))
    out = apply_labels(Kind.IMAGE, original, None, finding, "modpipe-test", "item-0001")
    assert original == snapshot
    assert out.mime == "image/jpeg" and out.data != original
    again = detect_aigc(Content(kind=Kind.IMAGE, data=out.data))
    assert again.label == "1"
    assert {"xmp", "exif:UserComment", "watermark"} <= set(again.found_in)
    assert again.metadata["ContentProducer"] == "gen-co" and again.metadata["ProduceID"] == "g-7"
    assert again.metadata["ContentPropagator"] == "modpipe-test"
    assert again.metadata["PropagateID"] == "item-0001"
    assert again.watermark["label"] == "1" and again.flags == []
    from watermark.marks import MarkReading
    mark = MarkReading(again.watermark["label"], again.watermark["propagate_digest"], 0)
    assert mark.matches("item-0001") and not mark.matches("item-0002")


@pytest.mark.parametrize("bg", [245, 12])
def test_notice_size_and_contrast(bg):
    im = Image.new("RGB", (900, 500), (bg, bg, bg))
    out, (x0, y0, x1, y1), th = visible.draw_notice(im, "1")
    assert th >= 0.05 * 500
    assert x1 > 800 and y1 > 450  # bottom-right corner
    arr = np.asarray(out.convert("L")).astype(int)
    box = arr[y0 + 3 : y1 - 3, x0 + 3 : x1 - 3]
    text_px, box_px = np.percentile(box, 99), np.percentile(box, 5)
    assert text_px - box_px > 150  # light text on a dark box, whatever the picture
    assert abs(int(np.median(arr[:400, :700])) - bg) <= 1  # the rest of the picture is unchanged


def test_every_notice_has_its_glyphs():
    from PIL import ImageFont

    font = ImageFont.truetype(str(visible.FONT_PATH), 40)
    missing = font.getmask("\uffff").getbbox()  # .notdef
    for text in [*visible.IMAGE_NOTICE.values(), *visible.TEXT_NOTICE.values()]:
        for ch in set(text) - {" "}:
            assert font.getmask(ch).getbbox() != missing or ch.isspace(), ch


@pytest.mark.slow
@pytest.mark.parametrize("bg", [(250, 250, 245), (8, 10, 12), (128, 128, 128)])
def test_notice_is_legible_to_ocr(ocr, bg):
    arr = np.full((480, 640, 3), bg, np.uint8)
    data = encode(arr, "PNG")
    finding = AigcFinding(label="2")
    out = apply_labels(Kind.IMAGE, data, None, finding, "p", "id-1")
    labelled = np.asarray(Image.open(io.BytesIO(out.data)).convert("RGB"))
    text = ocr(labelled)
    assert "AI" in text and "生成" in text, text
    assert visible.find_notice(text) == "2"


def test_tampering_caught(photo):
    data = encode(photo, "JPEG", quality=90)
    out = apply_labels(Kind.IMAGE, data, None, AigcFinding(label="1"), "modpipe-test", "item-7")
    labelled = Image.open(io.BytesIO(out.data)).convert("RGB")
    # 1) metadata stripped by re-encoding (and OCR still reads the notice).
    stripped = encode(np.asarray(labelled), "JPEG", quality=80)
    f = detect_aigc(Content(kind=Kind.IMAGE, data=stripped, texts={"ocr": "AI生成"}))
    assert Flag.AIGC_LABEL_TAMPERED in f.flags and f.missing == ["implicit"] and f.label == "1"
    # 2) the corner with the notice cropped away, metadata gone too; OCR found no notice.
    w, h = labelled.size
    cropped = encode(np.asarray(labelled.crop((0, 0, int(w * 0.88), int(h * 0.88)))), "PNG")
    f = detect_aigc(Content(kind=Kind.IMAGE, data=cropped, texts={"ocr": ""}))
    assert Flag.AIGC_LABEL_TAMPERED in f.flags and f.missing == ["implicit", "explicit"]
    assert f.to_dict()["flags"] == ["aigc_label_tampered"]
    assert f.to_dict()["missing"] == ["implicit", "explicit"]
    # 3) intact copy: no flag.
    f = detect_aigc(Content(kind=Kind.IMAGE, data=out.data, texts={"ocr": "AI生成"}))
    assert f.flags == [] and f.missing == []


def test_unmarked_image_not_called_marked(photo):
    for q in (95, 60):
        f = detect_aigc(Content(kind=Kind.IMAGE, data=encode(photo, "JPEG", quality=q), texts={"ocr": ""}))
        assert "watermark" not in f.found_in and f.flags == []


def test_png_with_alpha_and_webp_keep_format(photo):
    rgba = np.dstack([photo, np.full(photo.shape[:2], 200, np.uint8)])
    out = apply_labels(Kind.IMAGE, encode(rgba, "PNG"), None, AigcFinding(label="3"), "p", "i-2")
    im = Image.open(io.BytesIO(out.data))
    assert out.mime == "image/png" and im.mode == "RGBA"
    found = {h.found_in for h in carriers.read_all(out.data)}
    assert {"xmp", "png:tEXt", "exif:UserComment"} <= found
    webp = encode(photo, "WEBP", quality=90)
    out = apply_labels(Kind.IMAGE, webp, None, AigcFinding(label="3"), "p", "i-3")
    assert out.mime == "image/webp"
    assert detect_aigc(Content(kind=Kind.IMAGE, data=out.data)).label == "3"


def test_apply_text_plain_and_markdown():
    f = AigcFinding(label="2")
    out = apply_labels(Kind.TEXT, None, "志愿者招募说明。", f, "modpipe", "t-1")
    assert out.text.startswith(visible.TEXT_NOTICE["2"]) and out.text.endswith("志愿者招募说明。")
    assert visible.text_has_notice(out.text) and out.metadata["PropagateID"] == "t-1"
    md = "---\ntitle: 报告\n---\n# 标题\n正文"
    out = apply_labels(Kind.TEXT, None, md, AigcFinding(label="1"), "modpipe", "t-2")
    assert out.mime.startswith("text/markdown")
    back = detect_aigc(Content(kind=Kind.TEXT, text=out.text))
    assert back.label == "1" and back.metadata["PropagateID"] == "t-2"
    assert {"front_matter", "visible_text"} <= set(back.found_in) and "title: 报告" in out.text
    # Already carrying a notice: not doubled.
    once = apply_labels(Kind.TEXT, None, out.text, back, "modpipe", "t-2").text
    assert once.count("人工智能生成") == 1


def test_not_ai_is_published_as_is(photo):
    data = encode(photo, "PNG")
    out = apply_labels(Kind.IMAGE, data, None, AigcFinding(), "p", "i")
    assert out.data == data and out.metadata is None


def test_apply_video_notice_on_opening_and_metadata(video_bytes, tmp_path):
    out = apply_labels(Kind.VIDEO, video_bytes, None, AigcFinding(label="1"), "modpipe", "v-1")
    assert out.mime == "video/mp4"
    f = detect_aigc(Content(kind=Kind.VIDEO, data=out.data))
    assert f.label == "1" and f.found_in == ["mp4:udta"] and f.metadata["PropagateID"] == "v-1"

    def frames(data: bytes, name: str) -> list[np.ndarray]:
        p = tmp_path / name
        p.write_bytes(data)
        cap = cv2.VideoCapture(str(p))
        fps = cap.get(cv2.CAP_PROP_FPS)
        got = []
        while True:
            ok, fr = cap.read()
            if not ok:
                break
            got.append(fr.astype(int))
        return fps, got

    fps, before = frames(video_bytes, "a.mp4")
    _, after = frames(out.data, "b.mp4")
    assert len(after) == len(before) == 40 and fps == 10
    corner = (slice(200, 236), slice(220, 316))  # bottom-right of 320x240
    diff = [np.abs(a[corner] - b[corner]).mean() for a, b in zip(before, after, strict=False)]
    assert all(d > 20 for d in diff[: int(2 * fps)])  # notice on every frame of the first 2 s
    assert all(d < 8 for d in diff[int(2.6 * fps):])  # and gone after (re-encoding noise only)


def test_hostile_inputs_never_raise(photo):
    jpeg = encode(photo, "JPEG", quality=80)
    png = encode(photo, "PNG")
    huge = bytearray(png[:33])
    huge[16:24] = (60000).to_bytes(4, "big") * 2  # IHDR claims 60000 x 60000
    samples = [b"", b"\x00" * 10, np.random.default_rng(0).bytes(5000), jpeg[: len(jpeg) // 3],
               png[:100], bytes(huge) + png[33:], b"\xff\xd8\xff" + b"\xff" * 100]
    for data in samples:
        for kind in (Kind.IMAGE, Kind.FILE, Kind.VIDEO):
            f = detect_aigc(Content(kind=kind, data=data))
            assert f.label is None and "watermark" not in f.found_in
