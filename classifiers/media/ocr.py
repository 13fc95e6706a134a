"""Text inside images: RapidOCR (PP-OCRv4 det + rec) on onnxruntime.

The three ONNX models ship inside the ``rapidocr_onnxruntime`` wheel; nothing
is downloaded. Detection runs on the image scaled so its *longest* side is at
most 960 px (the wheel's default scales the *shortest* side up to 736, which
blows a 800x200 banner up to 2944x736 and costs 4x the time for no gain).
The image is shrunk to that size here, before RapidOCR sees it: in "max" mode
its detector otherwise picks 1500 or 2000 px for bigger inputs by itself.
The 180-degree text classifier is off: EXIF orientation is honoured before
OCR, and upside-down text in uploads is rare enough not to pay for on every
image.

Each recognised line keeps its box, so an evidence span over ``texts["ocr"]``
can be drawn on the image (:func:`boxes_for_span`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lazy import Lazy

DET_LIMIT_SIDE = 960
MIN_LINE_SCORE = 0.5


#: onnxruntime threads per call. One: parallelism comes from several items at
#: once (worker threads/processes), which beats splitting one small image's
#: convolutions over cores that other work wants too.
ORT_THREADS = 1


def _load():
    from rapidocr_onnxruntime import RapidOCR

    # rec_batch_num=1: a batch is padded to its widest line, and on one thread
    # batching buys nothing back; one line at a time was 30% cheaper here
    return RapidOCR(det_limit_type="max", det_limit_side_len=DET_LIMIT_SIDE, use_cls=False, text_score=MIN_LINE_SCORE,
                    intra_op_num_threads=ORT_THREADS, inter_op_num_threads=1, rec_batch_num=1)


# Thread safety: onnxruntime sessions may run concurrently; the only state
# RapidOCR writes per call without keyword arguments is the detector's
# pre-processing op, which for inputs already within DET_LIMIT_SIDE is the
# same object configuration every time, so concurrent calls need no lock.
OCR_ENGINE: Lazy = Lazy(_load)


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the caller's coordinates
    score: float


#: a long image is read in tiles this many times as long as its short side,
#: overlapping by TILE_OVERLAP of that, so a line cut by one tile is whole in the next
TILE_ASPECT = 1.5
TILE_OVERLAP = 0.2
MAX_TILES = 24


def ocr_lines(rgb: np.ndarray, scale: float = 1.0, max_side: int = DET_LIMIT_SIDE) -> list[OcrLine]:
    """Recognise text in an RGB array; boxes are multiplied by ``scale``.

    ``max_side`` (at most DET_LIMIT_SIDE) shrinks the input first; video frames
    use a smaller one, as captions are large and frames are many. Long images
    (more than 3:1, such as scrolling screenshots) are read in overlapping
    tiles so their text is not shrunk out of sight.
    """
    if rgb.ndim != 3 or min(rgb.shape[:2]) < 8:
        return []
    h, w = rgb.shape[:2]
    if max(h, w) > 3 * min(h, w):
        return _tiled(rgb, scale, max_side)
    return _ocr_one(rgb, scale, max_side)


def _tiled(rgb: np.ndarray, scale: float, max_side: int) -> list[OcrLine]:
    h, w = rgb.shape[:2]
    vertical = h > w
    short, long_ = (w, h) if vertical else (h, w)
    tile = int(short * TILE_ASPECT)
    step = max(1, int(tile * (1 - TILE_OVERLAP)))
    lines: list[OcrLine] = []
    for k, start in enumerate(range(0, max(1, long_ - int(tile * TILE_OVERLAP)), step)):
        if k >= MAX_TILES:
            break
        end = min(long_, start + tile)
        part = rgb[start:end] if vertical else rgb[:, start:end]
        for line in _ocr_one(part, 1.0, max_side):
            x0, y0, x1, y1 = line.box
            if vertical:
                y0, y1 = y0 + start, y1 + start
            else:
                x0, x1 = x0 + start, x1 + start
            # a line seen whole in two overlapping tiles is kept once
            if any(_same_line((x0, y0, x1, y1), prev.box) for prev in lines):
                continue
            lines.append(OcrLine(line.text, (x0, y0, x1, y1), line.score))
    lines.sort(key=lambda ln: (ln.box[1], ln.box[0]) if vertical else (ln.box[0], ln.box[1]))
    return [OcrLine(ln.text, tuple(round(v * scale, 1) for v in ln.box), ln.score) for ln in lines]


def _same_line(a, b) -> bool:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1.0
    return inter / smaller > 0.5


def _ocr_one(rgb: np.ndarray, scale: float, max_side: int) -> list[OcrLine]:
    h, w = rgb.shape[:2]
    max_side = min(max_side, DET_LIMIT_SIDE)
    if max(h, w) > max_side:
        import cv2

        f = max_side / max(h, w)
        rgb = cv2.resize(rgb, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
        scale = scale / f
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    result, _ = OCR_ENGINE.get()(bgr)
    lines: list[OcrLine] = []
    for quad, text, score in result or []:
        text = str(text).strip()
        if not text:
            continue
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        box = (min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale)
        lines.append(OcrLine(text, tuple(round(v, 1) for v in box), round(float(score), 4)))
    return lines


def join_lines(lines: list[OcrLine], time: float | None = None) -> tuple[str, list[dict]]:
    """One text, a line per box, and the span of each line with its box."""
    parts: list[str] = []
    spans: list[dict] = []
    pos = 0
    for line in lines:
        if parts:
            pos += 1  # the "\n" between lines
        spans.append({"span": [pos, pos + len(line.text)], "box": list(line.box), "score": line.score, "time": time})
        parts.append(line.text)
        pos += len(line.text)
    return "\n".join(parts), spans


def boxes_for_span(spans: list[dict], start: int, end: int) -> list[list[float]]:
    """The image regions that hold characters ``start:end`` of an OCR text.

    ``spans`` is ``content.signals["ocr_boxes"][field]``. A span inside one
    line gets that part of the line's box, cut in proportion to character
    positions (exact for CJK, where each character is about equally wide).
    """
    out: list[list[float]] = []
    for s in spans:
        a, b = s["span"]
        lo, hi = max(a, start), min(b, end)
        if lo >= hi:
            continue
        x0, y0, x1, y1 = s["box"]
        n = max(1, b - a)
        w = (x1 - x0) / n
        out.append([round(x0 + (lo - a) * w, 1), y0, round(x0 + (hi - a) * w, 1), y1])
    return out
