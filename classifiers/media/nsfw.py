"""Nudity and sexual content: NudeNet's detector, and what its findings mean here.

The 320n ONNX model ships inside the ``nudenet`` wheel. NudeNet's own
``detect`` reads files and assumes 4-channel input; here the decoded RGB
working copy goes straight to the session, and NudeNet's post-processing
(box decoding + NMS) is done the same way, vectorised.

:func:`categorise` turns detections into the two categories the terms name:
exposed sexual parts are 淫秽色情 (clause 5.2.2(9), ``porn_gambling_violence``);
covered but sexualised parts are 性暗示 (5.2.2(14), ``spam_ads_sexual``).
Faces, feet, covered bellies and armpits mean nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modpipe.domain import Category, Decision

from .lazy import Lazy

INPUT_SIZE = 320


def _load():
    import onnxruntime
    from nudenet import nudenet as nn  # noqa: F401  (the wheel holds 320n.onnx beside it)
    import os

    opts = onnxruntime.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = 1  # see ocr.ORT_THREADS
    opts.inter_op_num_threads = 1
    path = os.path.join(os.path.dirname(nn.__file__), "320n.onnx")
    return onnxruntime.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


NSFW_SESSION: Lazy = Lazy(_load)


def detect(rgb: np.ndarray, scale: float = 1.0) -> list[dict]:
    """NudeNet detections ``{"class", "score", "box": [x0, y0, x1, y1]}`` on an RGB array."""
    import cv2

    if rgb.ndim != 3 or min(rgb.shape[:2]) < 8:
        return []
    h, w = rgb.shape[:2]
    side = max(h, w)
    # pad to a square (as NudeNet does), then one resize straight to 320
    padded = np.zeros((side, side, 3), np.uint8)
    padded[:h, :w] = rgb
    small = cv2.resize(padded, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
    blob = (small.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
    session = NSFW_SESSION.get()
    outputs = session.run(None, {session.get_inputs()[0].name: blob})  # sessions are thread-safe
    return _postprocess(outputs[0], side, w, h, scale)


def _labels() -> list[str]:
    from nudenet import nudenet as nn

    return list(getattr(nn, "__labels"))


def _postprocess(output: np.ndarray, side: int, w: int, h: int, scale: float) -> list[dict]:
    """NudeNet's YOLOv8 head decoding and NMS, vectorised (its own loops over
    2,100 candidate rows in Python took longer than the model)."""
    import cv2

    rows = np.squeeze(output).T  # (candidates, 4 + classes)
    scores = rows[:, 4:]
    cls = scores.argmax(axis=1)
    best = scores[np.arange(len(rows)), cls]
    keep = best >= 0.2
    if not keep.any():
        return []
    rows, cls, best = rows[keep], cls[keep], best[keep]
    f = side / INPUT_SIZE
    cx, cy, bw, bh = (rows[:, i] * f for i in range(4))
    x0 = np.clip(cx - bw / 2, 0, w)
    y0 = np.clip(cy - bh / 2, 0, h)
    bw = np.minimum(bw, w - x0)
    bh = np.minimum(bh, h - y0)
    boxes = np.stack([x0, y0, bw, bh], axis=1)
    idx = cv2.dnn.NMSBoxes(boxes.tolist(), best.tolist(), 0.25, 0.45)
    labels = _labels()
    out = []
    for i in np.asarray(idx).reshape(-1):
        x, y, ww, hh = (int(v) for v in boxes[i])  # NudeNet reports whole pixels
        out.append({"class": labels[int(cls[i])], "score": round(float(best[i]), 4),
                    "box": [round(x * scale, 1), round(y * scale, 1), round((x + ww) * scale, 1), round((y + hh) * scale, 1)]})
    return out


@dataclass(frozen=True)
class PartRule:
    category: Category
    weight: float  # how strongly this part means the category, times the detector's score
    block_at: float | None = None  # detector score at which the result forces BLOCK
    review_at: float | None = None  # ...and REVIEW


#: NudeNet class -> what it means under the terms. Unlisted classes mean nothing.
PART_RULES: dict[str, PartRule] = {
    "FEMALE_GENITALIA_EXPOSED": PartRule(Category.PORN_GAMBLING_VIOLENCE, 1.0, block_at=0.6, review_at=0.35),
    "MALE_GENITALIA_EXPOSED": PartRule(Category.PORN_GAMBLING_VIOLENCE, 1.0, block_at=0.6, review_at=0.35),
    "ANUS_EXPOSED": PartRule(Category.PORN_GAMBLING_VIOLENCE, 1.0, block_at=0.6, review_at=0.35),
    "FEMALE_BREAST_EXPOSED": PartRule(Category.PORN_GAMBLING_VIOLENCE, 0.9, block_at=0.75, review_at=0.4),
    "BUTTOCKS_EXPOSED": PartRule(Category.PORN_GAMBLING_VIOLENCE, 0.85, review_at=0.45),
    "FEMALE_GENITALIA_COVERED": PartRule(Category.SPAM_ADS_SEXUAL, 0.7, review_at=0.5),
    "BUTTOCKS_COVERED": PartRule(Category.SPAM_ADS_SEXUAL, 0.5),
    "FEMALE_BREAST_COVERED": PartRule(Category.SPAM_ADS_SEXUAL, 0.45),
    "ANUS_COVERED": PartRule(Category.SPAM_ADS_SEXUAL, 0.4),
    "BELLY_EXPOSED": PartRule(Category.SPAM_ADS_SEXUAL, 0.2),
    "MALE_BREAST_EXPOSED": PartRule(Category.SPAM_ADS_SEXUAL, 0.1),
}

#: detections below this detector score are noise
MIN_SCORE = 0.3


@dataclass
class Finding:
    category: Category
    score: float
    floor: Decision
    detections: list[dict]


def categorise(detections: list[dict]) -> dict[Category, Finding]:
    """Detections (each may carry ``"time"``) -> one finding per category.

    The category score is the noisy-or of the weighted detections, so two
    confident exposed parts score higher than one; the floor comes from the
    single strongest part.
    """
    out: dict[Category, Finding] = {}
    for d in detections:
        rule = PART_RULES.get(str(d.get("class")))
        score = float(d.get("score") or 0.0)
        if rule is None or score < MIN_SCORE:
            continue
        f = out.setdefault(rule.category, Finding(rule.category, 0.0, Decision.PASS, []))
        f.score = 1.0 - (1.0 - f.score) * (1.0 - min(1.0, score * rule.weight))
        floor = Decision.PASS
        if rule.block_at is not None and score >= rule.block_at:
            floor = Decision.BLOCK
        elif rule.review_at is not None and score >= rule.review_at:
            floor = Decision.REVIEW
        if floor.rank > f.floor.rank:
            f.floor = floor
        f.detections.append(d)
    for f in out.values():
        f.score = round(min(1.0, f.score), 4)
    return out
