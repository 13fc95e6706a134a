"""The image stages every picture goes through, still, animated or video frame:
OCR, QR/barcodes, NudeNet and PDQ, written into ``Content`` the same way.

Field names: a still image writes ``"ocr"`` and ``"qr:0"``...; a frame of an
animation or video at ``t`` seconds writes ``"frame@{t:.1f}:ocr"`` and
``"frame@{t:.1f}:qr:0"``. ``signals["ocr_boxes"][field]`` maps character
spans of each OCR text to boxes, in the coordinates of the image as shown
(EXIF orientation applied, full resolution).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from classifiers.base import Content

from . import nsfw, ocr, qr
from .decode import Frame
from .hashbank import pdq_dihedral


@dataclass
class FrameResult:
    time: float | None
    pdq: str
    quality: int
    ocr_lines: list = field(default_factory=list)
    codes: list = field(default_factory=list)
    detections: list = field(default_factory=list)
    reused_from: float | None = None  # a near-identical earlier frame's results were reused
    errors: list = field(default_factory=list)  # stages that failed on this frame (the others still ran)
    pdq_variants: list = field(default_factory=list)  # rotations/mirrorings, stills only


ALL_STAGES = frozenset({"ocr", "qr", "nsfw", "pdq"})


log = logging.getLogger(__name__)


def analyse(frame: Frame, stages: frozenset[str] = ALL_STAGES, ocr_max_side: int = ocr.DET_LIMIT_SIDE) -> FrameResult:
    """Run the stages on one frame. A stage that fails on odd pixels is recorded
    in ``errors`` and the others still run: one model's bug must not take the
    item (or the worker) down."""
    r = FrameResult(frame.time, "", 0)

    def run(name: str, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - recorded, logged, never silent
            log.exception("media stage %s failed at t=%s", name, frame.time)
            r.errors.append(f"{name}: {exc.__class__.__name__}: {exc}"[:300])
            return None

    if "pdq" in stages:
        hashes, r.quality = run("pdq", lambda: pdq_dihedral(frame.rgb)) or ([""], 0)
        r.pdq, r.pdq_variants = hashes[0], hashes[1:]
    if "ocr" in stages:
        r.ocr_lines = run("ocr", lambda: ocr.ocr_lines(frame.rgb, frame.scale, ocr_max_side)) or []
    if "qr" in stages:
        r.codes = run("qr", lambda: qr.read_codes(frame.rgb, frame.scale)) or []
    if "nsfw" in stages:
        r.detections = run("nsfw", lambda: nsfw.detect(frame.rgb, frame.scale)) or []
    return r


def prefix_for(time: float | None) -> str:
    return "" if time is None else f"frame@{time:.1f}:"


def record(content: Content, r: FrameResult, last_ocr_text: str | None = None) -> str:
    """Write one frame's findings into ``content``; returns the frame's OCR text.

    An OCR text identical to ``last_ocr_text`` (a caption that stays on screen)
    is not written again: the first frame it appeared on carries it.
    """
    sig = content.signals
    p = prefix_for(r.time)
    for err in r.errors:
        sig.setdefault("stage_errors", []).append({"time": r.time, "error": err})
    if r.pdq:
        entry = {"hash": r.pdq, "quality": r.quality, "time": r.time}
        if r.pdq_variants:
            entry["dihedral"] = r.pdq_variants
        sig.setdefault("pdq", []).append(entry)
    text, spans = ocr.join_lines(r.ocr_lines, r.time)
    if text and text != last_ocr_text:
        content.texts[p + "ocr"] = text
        sig.setdefault("ocr_boxes", {})[p + "ocr"] = spans
    n = sum(1 for k in content.texts if k.startswith(p + "qr:"))
    seen = {q.get("text") for q in sig.get("qr", [])}
    for code in r.codes:
        if code.text in seen:  # the same code on later frames: the first one carries it
            continue
        seen.add(code.text)
        fld = f"{p}qr:{n}"
        content.texts[fld] = code.text
        sig.setdefault("qr", []).append(
            {"field": fld, "text": code.text, "format": code.format, "box": list(code.box), "time": r.time})
        n += 1
    for d in r.detections:
        sig.setdefault("nsfw", []).append({**d, "time": r.time})
    sig.setdefault("nsfw", [])
    return text
