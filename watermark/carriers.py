"""Where implicit labels live in files, and how to read each one.

Every reader returns :class:`Hit` objects (where, the raw JSON, the parsed label
and its problems) and never raises on a bad file: a user's file is hostile input.
Images go through Pillow (lazy: headers and metadata chunks only, no full decode
unless the format keeps text chunks after the pixels); MP4 through ``mp4``;
C2PA through ``c2pa_read``. Anything else is searched for an embedded XMP packet,
which is how PDFs, GIFs and most other formats carry XMP.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field

from PIL import Image

from watermark import label as aigc_label
from watermark import xmp

log = logging.getLogger(__name__)

EXIF_IFD = 0x8769
USER_COMMENT = 0x9286
MAX_SCAN = 8 * 1024 * 1024  # bytes searched for a stray XMP packet


@dataclass
class Hit:
    found_in: str
    metadata: dict[str, str] | None
    errors: list[str] = field(default_factory=list)


def _hit(where: str, raw: str | bytes | dict) -> Hit:
    meta, errors = aigc_label.parse(raw)
    return Hit(where, meta, [f"{where}: {e}" for e in errors])


def sniff(data: bytes) -> str | None:
    """A small, certain sniff for the formats this package writes labels into."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None


def decode_user_comment(value: bytes | str) -> str:
    """EXIF UserComment: an 8-byte charset code, then the text."""
    if isinstance(value, str):
        return value.strip("\x00 ")
    code, body = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        # The byte order follows the file's; try both and keep what parses.
        for enc in ("utf-16-be", "utf-16-le"):
            text = body.decode(enc, errors="ignore").strip("\x00 ")
            if text.lstrip().startswith(("{", "[")):
                return text
        return body.decode("utf-16-be", errors="replace").strip("\x00 ")
    if code.startswith((b"ASCII", b"\x00\x00\x00\x00\x00\x00\x00\x00", b"JIS")):
        return body.decode("utf-8", errors="replace").strip("\x00 ")
    return value.decode("utf-8", errors="replace").strip("\x00 ")


def encode_user_comment(text: str) -> bytes:
    # "UNICODE" keeps non-ASCII producer names intact; Pillow writes the file big-endian.
    if text.isascii():
        return b"ASCII\x00\x00\x00" + text.encode("ascii")
    return b"UNICODE\x00" + text.encode("utf-16-be")


def _looks_like_label(text: str) -> bool:
    return "Label" in text or "AIGC" in text


def read_image(data: bytes) -> list[Hit]:
    hits: list[Hit] = []
    try:
        im = Image.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any decoder error means "no labels readable"
        log.info("image metadata unreadable: %s", exc)
        return hits
    with im:
        fmt = (im.format or "").lower()
        info = dict(im.info)
        if fmt == "png":
            try:
                info.update(im.text)  # loads tEXt/iTXt chunks that come after IDAT
            except Exception as exc:  # noqa: BLE001
                log.info("PNG text chunks unreadable: %s", exc)
        packet = info.get("xmp") or info.get("XML:com.adobe.xmp")
        if packet:
            raw = xmp.find_label(packet)
            if raw is not None:
                hits.append(_hit("xmp", raw))
        if fmt == "png":
            for key in ("AIGC", "aigc"):
                if key in info and isinstance(info[key], (str, bytes)):
                    hits.append(_hit("png:tEXt", info[key]))
                    break
        try:
            exif = im.getexif()
            comment = exif.get_ifd(EXIF_IFD).get(USER_COMMENT) if exif else None
        except Exception as exc:  # noqa: BLE001
            log.info("EXIF unreadable: %s", exc)
            comment = None
        if comment:
            text = decode_user_comment(comment)
            if _looks_like_label(text):
                hits.append(_hit("exif:UserComment", text))
    return hits


def read_stray_xmp(data: bytes) -> list[Hit]:
    """Formats without a dedicated reader: look for an XMP packet in the bytes."""
    window = data[:MAX_SCAN]
    start = window.find(b"<x:xmpmeta")
    while start >= 0:
        end = window.find(b"</x:xmpmeta>", start)
        if end < 0:
            break
        raw = xmp.find_label(window[start : end + 12])
        if raw is not None:
            return [_hit("xmp", raw)]
        start = window.find(b"<x:xmpmeta", end)
    return []


def read_all(data: bytes, mime: str | None = None) -> list[Hit]:
    """Every implicit label in ``data``, from every carrier this package knows."""
    from watermark import c2pa_read, mp4  # local: keep import light for text-only callers

    kind = sniff(data) or (mime or "")
    hits: list[Hit] = []
    if kind.startswith("image/"):
        hits += read_image(data)
    elif kind == "video/mp4" or kind == "video/quicktime":
        for raw, where in mp4.read_labels(data):
            hits.append(_hit(where, raw))
    else:
        hits += read_stray_xmp(data)
    hits += c2pa_read.read(data, kind)
    return hits


def with_image_labels(im: Image.Image, fmt: str, obj: dict[str, str], quality: int = 92) -> bytes:
    """Encode ``im`` as ``fmt`` carrying ``obj`` in XMP, PNG tEXt and EXIF UserComment."""
    text = aigc_label.dumps(obj)
    packet = xmp.build(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = encode_user_comment(text)
    exif_bytes = exif.tobytes()  # an Exif with only a sub-IFD would otherwise be dropped
    buf = io.BytesIO()
    fmt = fmt.upper()
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", packet.decode("utf-8"))
        info.add_text("AIGC", text)
        im.save(buf, "PNG", pnginfo=info, exif=exif_bytes)
    elif fmt == "WEBP":
        im.save(buf, "WEBP", quality=quality, xmp=packet, exif=exif_bytes)
    else:
        im.convert("RGB").save(buf, "JPEG", quality=quality, xmp=packet, exif=exif_bytes)
    return buf.getvalue()
