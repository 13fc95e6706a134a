"""``apply_labels``: the copy of an item the platform publishes.

Explicit notice (wording per label), implicit label (the producer's fields kept,
ours as ContentPropagator/PropagateID) and, on images, the invisible mark
carrying the label and a digest of the PropagateID. The stored original is
evidence: it is only ever read here.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from modpipe.domain import Kind
from modpipe.errors import RejectedInput
from watermark import carriers, frontmatter, marks, mp4, visible
from watermark import label as aigc_label
from watermark.finding import AigcFinding

log = logging.getLogger(__name__)

_KEEP_FORMAT = {"JPEG": ("JPEG", "image/jpeg"), "PNG": ("PNG", "image/png"), "WEBP": ("WEBP", "image/webp")}


@dataclass
class LabeledContent:
    data: bytes | None
    text: str | None
    mime: str
    metadata: dict[str, str] | None = None  # the implicit label written (or to send beside plain text)
    notes: list[str] = field(default_factory=list)


def _producer_fields(finding: AigcFinding) -> dict[str, str] | None:
    return dict(finding.metadata) if finding.metadata else None


def apply_labels(
    kind: Kind,
    data: bytes | None,
    text: str | None,
    finding: AigcFinding,
    propagator: str,
    propagate_id: str,
) -> LabeledContent:
    kind = Kind(kind)
    label = finding.label
    if label is None:
        fallback = "text/plain; charset=utf-8" if data is None else "application/octet-stream"
        mime = (carriers.sniff(data) if data else None) or fallback
        return LabeledContent(data, text, mime, None, ["not AI content: published as it is"])
    obj = aigc_label.build(label, propagator, propagate_id, _producer_fields(finding))
    if kind is Kind.TEXT or data is None:
        return _label_text(text or "", obj)
    sniffed = carriers.sniff(data) or ""
    if kind is Kind.IMAGE or sniffed.startswith("image/"):
        return _label_image(data, obj, propagate_id)
    if kind is Kind.VIDEO or sniffed == "video/mp4":
        return _label_video(data, obj)
    return LabeledContent(data, text, "application/octet-stream", obj,
                          ["files carry no label the platform can write; label sent beside the file"])


def _label_text(text: str, obj: dict[str, str]) -> LabeledContent:
    block, body = frontmatter.split(text)
    labelled = body if visible.text_has_notice(body) else visible.add_text_notice(body, obj["Label"])
    if block is None:
        return LabeledContent(None, labelled, "text/plain; charset=utf-8", obj)
    # Markdown with front matter: the implicit label goes in it, beside the author's keys.
    out = frontmatter.write(text, obj)
    return LabeledContent(None, out[: len(out) - len(body)] + labelled, "text/markdown; charset=utf-8", obj)


def _label_image(data: bytes, obj: dict[str, str], propagate_id: str) -> LabeledContent:
    try:
        return _label_image_unchecked(data, obj, propagate_id)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        # Publishing AI content without its labels is not an option: say so.
        raise RejectedInput(f"cannot label this image ({exc}); it cannot be published labelled") from exc


def _label_image_unchecked(data: bytes, obj: dict[str, str], propagate_id: str) -> LabeledContent:
    with Image.open(io.BytesIO(data)) as src:
        fmt, mime = _KEEP_FORMAT.get((src.format or "").upper(), ("PNG", "image/png"))
        if getattr(src, "n_frames", 1) > 1:
            log.info("animated image: only the first frame is published labelled")
        im = ImageOps.exif_transpose(src)
        im = im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") and _has_alpha(im) else "RGB")
    notes = []
    im, box, height = visible.draw_notice(im, obj["Label"])
    notes.append(f"notice {visible.image_notice(obj['Label'])!r} at {box}, text {height}px")
    if fmt == "JPEG" and im.mode == "RGBA":
        im = im.convert("RGB")
    im = marks.mark_image(im, propagate_id, obj["Label"])
    out = carriers.with_image_labels(im, fmt, obj)
    return LabeledContent(out, None, mime, obj, notes)


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info)


def _label_video(data: bytes, obj: dict[str, str]) -> LabeledContent:
    from watermark import video

    notes = []
    try:
        body = video.label_opening(data, obj["Label"])
        notes.append(f"notice on the first {video.NOTICE_SECONDS} s; audio not carried over")
    except video.VideoError as exc:
        log.warning("video notice not drawn: %s", exc)
        notes.append(f"notice not drawn: {exc}")
        body = data
    try:
        out = mp4.write_label(body, aigc_label.dumps(obj))
    except (mp4.BoxError, ValueError) as exc:
        log.warning("video metadata not written: %s", exc)
        notes.append(f"metadata not written: {exc}")
        out = body
    return LabeledContent(out, None, "video/mp4", obj, notes)
