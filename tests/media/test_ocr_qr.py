"""OCR on rendered Chinese, QR codes on generated posters, evidence boxes."""

from classifiers.media import boxes_for_span
from tests.media.conftest import POSTER_LINES, QR_URL


def test_rendered_chinese_is_read_completely(poster_content):
    ocr = poster_content.texts["ocr"]
    expected = "".join(POSTER_LINES)
    got = ocr.replace("\n", "").replace(" ", "")
    hits = sum(1 for ch in expected if ch in got)
    assert hits == len(expected), (ocr, expected)
    assert ocr.split("\n") == POSTER_LINES


def test_ocr_spans_map_to_boxes_on_the_shown_image(poster_content):
    spans = poster_content.signals["ocr_boxes"]["ocr"]
    text = poster_content.texts["ocr"]
    assert [text[s["span"][0] : s["span"][1]] for s in spans] == POSTER_LINES
    # lines were drawn at y = 30, 102, 174 (font 40, 1.8 line spacing), x from 30
    ys = [s["box"][1] for s in spans]
    assert ys == sorted(ys)
    for s, y in zip(spans, (30, 102, 174)):
        x0, y0, x1, y1 = s["box"]
        assert abs(x0 - 30) < 15 and abs(y0 - y) < 20 and y1 - y0 < 70
    # a rule hit on "红包" (inside line 2) is shown on the right part of line 2
    start = text.index("红包")
    (box,) = boxes_for_span(spans, start, start + 2)
    line2 = spans[1]["box"]
    assert line2[0] < box[0] < box[2] <= line2[2] + 1
    assert box[1] == line2[1]


def test_qr_code_url_becomes_text_with_its_box(poster_content):
    assert poster_content.texts["qr:0"] == QR_URL
    (q,) = poster_content.signals["qr"]
    assert q["field"] == "qr:0" and q["format"] == "QRCode" and q["time"] is None
    x0, y0, x1, y1 = q["box"]
    assert x0 > 450 and y0 > 250 and x1 <= 900 and y1 <= 600  # bottom-right corner of the poster


def test_signals_and_original(poster_content, poster_jpeg):
    sig = poster_content.signals
    assert sig["image_size"] == [900, 600]
    assert sig["filetype"]["label"] == "jpeg" and not sig["filetype"]["mismatch"]
    assert len(sig["pdq"]) == 1 and len(sig["pdq"][0]["hash"]) == 64
    assert sig["nsfw"] == []
    assert poster_content.data == poster_jpeg


def test_extract_is_idempotent(poster_content):
    import copy

    from classifiers.media import extract

    again = copy.deepcopy(poster_content)
    extract(again)
    assert again.texts == poster_content.texts
    assert again.signals == poster_content.signals


def test_long_screenshots_are_read_in_tiles():
    """A 长图 (600x6000 scrolling poster): shrunk whole it would be 160 px wide and unreadable."""
    from classifiers.base import Content
    from classifiers.media import extract, synth
    from modpipe.domain import Kind
    from PIL import Image

    lines = ["第一段：活动介绍", "第二段：报名方式", "第三段：加微信领红包"]
    im = Image.new("RGB", (600, 6000), "white")
    for i, line in enumerate(lines):
        part = synth.poster([line], (600, 200), seed=i, font_size=36)
        im.paste(part, (0, 400 + i * 2500))
    c = Content(kind=Kind.IMAGE, data=synth.encode(im, "PNG"))
    extract(c)
    assert c.texts["ocr"].split("\n") == lines
    ys = [s["box"][1] for s in c.signals["ocr_boxes"]["ocr"]]
    assert [round(y, -2) for y in ys] == [400, 2900, 5400]
