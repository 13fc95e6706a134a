"""The extract stage for images, video and files: bytes in, texts and signals out.

:func:`extract` is what the workers and ``modpipe scan`` call for every
``Kind.IMAGE``/``VIDEO``/``FILE`` item. It routes by what the bytes *are*
(:func:`~classifiers.media.sniff.sniff`), not by what was declared:

* declared image or video, but the bytes are code or a macro document:
  recorded as a type lie (``signals["filetype"]["mismatch"]``) and scanned,
  so the malware classifier blocks it;
* declared image or video, but the bytes are anything else non-media:
  ``RejectedInput`` naming both types;
* a declared file that is really an image or video goes through the image or
  video stages (a poster uploaded as a "file" is still read).

``content.data`` is never modified. YARA runs over the first
``max_member_scan_bytes`` of every upload, media included (polyglots hide
scripts after image data).
"""

from __future__ import annotations

from classifiers.base import Content
from modpipe.domain import Kind
from modpipe.errors import RejectedInput

from . import stages, video, yara_rules
from .archives import inspect_archive
from .decode import decode_image
from .limits import DEFAULT_LIMITS, MediaLimits
from .sniff import SniffResult, sniff
from .textfiles import text_of


#: the signals extract owns; cleared before a run so running it twice gives the same result
MEDIA_SIGNALS = ("filetype", "yara", "image_size", "image_format", "exif_orientation", "animation_frames",
                 "decode_notes", "frames", "pdq", "ocr_boxes", "qr", "nsfw", "video", "archive", "stage_errors")


def _is_media_text(key: str) -> bool:
    return key in ("ocr", "file") or key.startswith(("qr:", "frame@", "file:"))


def _reset(content: Content) -> None:
    for k in MEDIA_SIGNALS:
        content.signals.pop(k, None)
    for k in [k for k in content.texts if _is_media_text(k)]:
        del content.texts[k]


def _filetype_signal(content: Content, s: SniffResult) -> dict:
    declared = content.kind
    lie = declared in (Kind.IMAGE, Kind.VIDEO) and s.kind != declared
    return {
        "label": s.label,
        "mime": s.mime,
        "kind": s.kind.value,
        "source": s.source,
        "declared_kind": declared.value,
        "declared_mime": content.mime,
        "mismatch": lie,
        "executable": s.executable,
        "script": s.script,
        "macro": s.macro,
    }


def _extract_image(content: Content, data: bytes, limits: MediaLimits) -> None:
    img = decode_image(data, limits)
    sig = content.signals
    sig["image_size"] = list(img.size)
    sig["image_format"] = img.format
    if img.orientation:
        sig["exif_orientation"] = img.orientation
    if img.n_frames > 1:
        sig["animation_frames"] = img.n_frames
    if img.notes:
        sig["decode_notes"] = img.notes
    last = None
    for frame in img.frames:
        last = stages.record(content, stages.analyse(frame, ocr_max_side=limits.ocr_max_side), last)
    sig["frames"] = [f.time for f in img.frames] if img.n_frames > 1 else []


def _extract_video(content: Content, data: bytes, limits: MediaLimits) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from .hashbank import pdq_hash

    video_stages = frozenset({"ocr", "qr", "nsfw"})
    pending: list[tuple] = []  # (frame time, scene change, pdq, quality, future | None, reused_from)
    last: dict = {"pdq": None, "time": None}
    in_flight: list = []

    def on_frame(frame, scene: bool) -> None:
        h, q = pdq_hash(frame.rgb)
        if last["pdq"] is not None and video.same_shot(h, last["pdq"], limits):
            pending.append((frame.time, scene, h, q, None, last["time"]))
            return
        fut = pool.submit(stages.analyse, frame, video_stages, limits.video_ocr_max_side)
        pending.append((frame.time, scene, h, q, fut, None))
        last["pdq"], last["time"] = h, frame.time
        in_flight.append(fut)
        while len(in_flight) > 2 * max(1, limits.video_threads):  # keep memory flat
            in_flight.pop(0).result()

    pool = ThreadPoolExecutor(max_workers=max(1, limits.video_threads), thread_name_prefix="modpipe-video")
    try:
        info = video.sample_frames(data, limits, on_frame)
        results = [(t, sc, h, q, f.result() if f else None, ru) for t, sc, h, q, f, ru in pending]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    sig = content.signals
    times: list[dict] = []
    last_text = None
    for t, scene, h, q, r, reused in results:
        sig.setdefault("pdq", []).append({"hash": h, "quality": q, "time": t})
        if r is not None:
            r.pdq = ""  # recorded above
            last_text = stages.record(content, r, last_text)
        times.append({"time": t, "scene_change": scene, "reused_from": reused})
    sig.setdefault("nsfw", [])
    sig["video"] = {
        "width": info.width, "height": info.height, "fps": round(info.fps, 3),
        "declared_seconds": info.declared_seconds, "decoded_seconds": info.decoded_seconds,
        "frames_decoded": info.frames_decoded,
    }
    sig["frames"] = times


def _extract_file(content: Content, data: bytes, s: SniffResult, limits: MediaLimits) -> None:
    if len(data) > limits.max_file_bytes:
        raise RejectedInput(f"file is {len(data)} bytes, over the {limits.max_file_bytes}-byte cap")
    if s.archive or s.label in ("docx", "xlsx", "pptx", "jar", "apk"):
        report = inspect_archive(data, s.label, limits)
        if report.unreadable and report.unreadable.startswith("corrupt") and not report.members:
            raise RejectedInput(f"unreadable archive: {report.unreadable}")
        content.signals["archive"] = report.to_signal()
        content.signals["yara"].extend(report.yara)
        for k, v in report.texts.items():
            content.texts[k] = v
        return
    text = text_of(data, s.label, limits.max_text_chars)
    if text.strip():
        content.texts["file"] = text


def extract(content: Content, limits: MediaLimits | None = None) -> None:
    """Fill ``content.texts`` and ``content.signals`` for an image, video or file item.

    Raises :class:`modpipe.errors.RejectedInput` with a reason for bombs,
    truncated, lying or over-cap input. Never modifies ``content.data``.
    Content that comes with ``signals`` but no bytes (``data is None``: a
    re-classification from stored signals, a classifier's worked example) is
    left as it is.
    """
    limits = limits or DEFAULT_LIMITS
    data = content.data
    if content.kind == Kind.TEXT:
        return
    if not data:
        if content.signals and data is None:
            return  # signals computed earlier (re-classification, worked examples): nothing to redo
        raise RejectedInput(f"empty {content.kind.value}: no bytes were uploaded")
    _reset(content)
    s = sniff(data, content.filename)
    sig = content.signals
    sig["filetype"] = _filetype_signal(content, s)
    sig["yara"] = yara_rules.scan(data[: limits.max_member_scan_bytes])
    if content.filename:
        content.texts.setdefault("filename", content.filename)
    declared = content.kind
    if declared in (Kind.IMAGE, Kind.VIDEO) and s.kind != declared:
        if s.dangerous:
            return  # the malware classifier blocks the lie; nothing here is media to decode
        if not (declared == Kind.VIDEO and s.kind == Kind.IMAGE and s.label == "gif"):
            raise RejectedInput(
                f"declared {declared.value}, but the bytes are {s.label} ({s.mime}); upload it as what it is"
            )
    if s.kind == Kind.IMAGE:
        _extract_image(content, data, limits)
    elif s.kind == Kind.VIDEO:
        _extract_video(content, data, limits)
    else:
        _extract_file(content, data, s, limits)
