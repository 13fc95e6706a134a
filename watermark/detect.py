"""``detect_aigc``: read every label carrier in an item and decide its AI label.

Called by the pipeline after extraction. It reads implicit labels from the
original bytes (images, MP4, C2PA, stray XMP) and Markdown front matter, looks
for the platform's own invisible mark in images, for visible notices in the
item's text and OCR text, takes the declaration and the text detector's score,
and applies Article 6 (see ``finding``). Content whose mark says the platform
labelled it but whose labels are gone is flagged ``aigc_label_tampered``.
"""

from __future__ import annotations

import logging

from classifiers.base import Content
from modpipe.domain import Flag
from watermark import carriers, frontmatter, marks, visible
from watermark.finding import AigcFinding, strongest

log = logging.getLogger(__name__)

DEFAULT_TEXT_THRESHOLD = 0.5
_METADATA_ORDER = ("xmp", "png:tEXt", "exif:UserComment", "mp4:udta", "mp4:meta", "c2pa", "front_matter")


def _is_ocr(key: str) -> bool:
    return "ocr" in key.lower()


def detect_aigc(
    content: Content, text_score: float | None = None, text_threshold: float | None = None
) -> AigcFinding:
    finding = AigcFinding()
    labels: list[str] = []
    hits: list[carriers.Hit] = []
    if content.data:
        hits += carriers.read_all(content.data, content.mime)
    for key in ("text",):
        body = content.texts.get(key) or content.text
        if body and body.lstrip("\ufeff").startswith("---"):
            meta, errors = frontmatter.parse_label(body)
            if meta is not None or errors:
                hits.append(carriers.Hit("front_matter", meta, errors))
    for hit in hits:
        finding.errors += hit.errors
        if hit.metadata is None and not hit.errors:
            finding.errors.append(f"{hit.found_in}: unreadable label")
    valid = sorted(
        (h for h in hits if h.metadata is not None),
        key=lambda h: _METADATA_ORDER.index(h.found_in) if h.found_in in _METADATA_ORDER else 99,
    )
    for hit in valid:
        finding.add(hit.found_in)
        labels.append(hit.metadata["Label"])
        if finding.metadata is None and hit.found_in != "c2pa":
            finding.metadata = hit.metadata
    if finding.metadata is None and valid:
        finding.metadata = valid[0].metadata

    # The platform's own mark (images only: it is where we put it).
    mark = None
    kind = carriers.sniff(content.data or b"") or (content.mime or "")
    if content.data and kind.startswith("image/"):
        mark = marks.read_mark(content.data)
        if mark is not None:
            finding.add("watermark")
            finding.watermark = mark.to_dict()
            labels.append(mark.label)

    # Visible notices: anywhere in OCR text, at the start or end of the user's own text.
    ocr_keys = [k for k in content.texts if _is_ocr(k)]
    for key, body in content.texts.items():
        stated = visible.find_notice(body) if _is_ocr(key) else (
            visible.find_notice(body) if visible.text_has_notice(body) else None
        )
        if stated is not None:
            finding.add("visible_text")
            finding.notice = finding.notice or stated
    if finding.notice is not None:
        labels.append("3")

    score = text_score if text_score is not None else content.signals.get("aigc_text_score")
    if score is not None:
        finding.text_score = float(score)
        if float(score) >= (text_threshold if text_threshold is not None else DEFAULT_TEXT_THRESHOLD):
            finding.add("detector")
            labels.append("3")

    if content.declared_aigc:
        finding.add("declared")
        if not valid:
            labels.append("2")

    finding.label = strongest(labels)

    if mark is not None:
        if not valid:
            finding.missing.append("implicit")
        if ocr_keys and not any(visible.find_notice(content.texts[k]) for k in ocr_keys):
            finding.missing.append("explicit")
        if finding.missing:
            finding.flags.append(Flag.AIGC_LABEL_TAMPERED)
            log.info("AIGC labels removed from marked content: missing %s", finding.missing)
    elif finding.label is not None and set(finding.found_in) <= {"detector"}:
        finding.flags.append(Flag.AIGC_UNLABELED)
    return finding
