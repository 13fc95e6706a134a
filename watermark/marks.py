"""The invisible mark as the rest of the package sees it: what it carries and
how to put it on (and read it from) encoded image bytes.

Payload (64 bits): one byte ``0xA0 | label`` (version 0xA, label 1-3), then the
first 7 bytes of SHA-256 of the PropagateID. Seven bytes do not spell the id
back, but they match it (and find it in the item table) with a false match
chance of 2^-56; the CRC-16 in ``invisible`` guards against misreads.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from watermark import invisible

log = logging.getLogger(__name__)

VERSION = 0xA
MAX_PIXELS = 40_000_000


def payload_for(propagate_id: str, label: str) -> bytes:
    if label not in ("1", "2", "3"):
        raise ValueError(f"label {label!r} is not one of 1, 2, 3")
    return bytes([VERSION << 4 | int(label)]) + id_digest(propagate_id)


def id_digest(propagate_id: str) -> bytes:
    return hashlib.sha256(propagate_id.encode("utf-8")).digest()[:7]


@dataclass(frozen=True)
class MarkReading:
    label: str
    propagate_digest: str  # hex of the 7 bytes
    psr: float

    def matches(self, propagate_id: str) -> bool:
        return id_digest(propagate_id).hex() == self.propagate_digest

    def to_dict(self) -> dict:
        return {"label": self.label, "propagate_digest": self.propagate_digest, "psr": round(self.psr, 1)}


def parse_payload(payload: bytes, psr: float) -> MarkReading | None:
    version, label = payload[0] >> 4, payload[0] & 0x0F
    if version != VERSION or label not in (1, 2, 3):
        return None
    return MarkReading(str(label), payload[1:].hex(), psr)


def to_rgb_array(im: Image.Image) -> np.ndarray:
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(bg, rgba).convert("RGB"))
    return np.asarray(im.convert("RGB"))


def read_mark(data: bytes) -> MarkReading | None:
    """Our mark in encoded image bytes, or None (not an image, too big, or no mark)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_PIXELS:
                log.info("image %dx%d too large for watermark detection", im.width, im.height)
                return None
            im = ImageOps.exif_transpose(im)
            rgb = to_rgb_array(im)
    except Exception as exc:  # noqa: BLE001 - undecodable input has no mark we can read
        log.info("image undecodable for watermark detection: %s", exc)
        return None
    return read_mark_array(rgb)


def read_mark_array(rgb: np.ndarray) -> MarkReading | None:
    reading = invisible.detect(rgb)
    if not reading.present or reading.payload is None:
        return None
    return parse_payload(reading.payload, reading.psr)


def mark_image(im: Image.Image, propagate_id: str, label: str) -> Image.Image:
    """A marked copy of ``im`` (alpha kept); images too small are returned unmarked."""
    if min(im.size) < invisible.MIN_SIDE:
        log.info("image %dx%d too small for the invisible mark; left unmarked", *im.size)
        return im.copy()
    alpha = im.getchannel("A") if im.mode == "RGBA" else None
    rgb = np.asarray(im.convert("RGB"))
    marked = Image.fromarray(invisible.embed(rgb, payload_for(propagate_id, label)))
    if alpha is not None:
        marked.putalpha(alpha)
    return marked
