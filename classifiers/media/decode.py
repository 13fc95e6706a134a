"""Decode untrusted images without letting them hurt the worker.

* Only plain raster formats are opened (``formats=`` below): Pillow's EPS
  plugin would run Ghostscript, and nothing here needs it.
* Pixel counts are checked from the header before any pixel is decoded, and
  animations are counted from their structure (frames x pixels) first.
* Truncated, lying or otherwise undecodable files end as ``RejectedInput``
  with the reason; nothing else escapes.
* EXIF orientation is honoured, so boxes match what a person sees; the
  original bytes are never touched (they are evidence).
* The stages get a working copy no larger than ``analysis_max_side``; every
  frame records the factor back to the oriented original's coordinates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from modpipe.errors import RejectedInput

from .gif import GifStructureError, gif_frames
from .limits import DEFAULT_LIMITS, MediaLimits

ALLOWED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "WEBP", "BMP", "TIFF", "ICO")


@dataclass
class Frame:
    """One picture for the image stages: RGB, HxWx3 uint8."""

    rgb: np.ndarray
    time: float | None = None  # seconds into an animation or video; None for a still
    scale: float = 1.0  # multiply working-copy coordinates by this for original ones


@dataclass
class DecodedImage:
    format: str
    size: tuple[int, int]  # (width, height) after EXIF orientation
    frames: list[Frame]
    n_frames: int = 1
    orientation: int | None = None
    notes: list[str] = field(default_factory=list)


def png_problem(data: bytes) -> str | None:
    """Walk a PNG's chunks checking lengths and CRCs (Pillow skips the CRC of
    image data, so a corrupted IDAT would otherwise decode into garbage)."""
    import struct
    import zlib

    pos, n, seen_idat = 8, len(data), False
    while pos + 12 <= n:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > n:
            return f"truncated image: PNG chunk {kind!r} at byte {pos} runs past the end of the file"
        crc = struct.unpack(">I", data[end - 4 : end])[0]
        if zlib.crc32(data[pos + 4 : end - 4]) & 0xFFFFFFFF != crc:
            return f"corrupt image: PNG chunk {kind!r} at byte {pos} fails its CRC check"
        seen_idat |= kind == b"IDAT"
        if kind == b"IEND":
            return None
        pos = end
    return "truncated image: PNG ends before its IEND chunk" if seen_idat or pos < n else "truncated image: PNG has no image data"


def _reason(exc: BaseException) -> str:
    msg = str(exc) or exc.__class__.__name__
    low = msg.lower()
    if "truncated" in low or "broken data stream" in low or "premature end" in low or isinstance(exc, EOFError):
        return f"truncated image: {msg}"
    if exc.__class__.__name__ == "DecompressionBombError" or "decompressed data too large" in low:
        return f"decompression bomb: {msg}"
    return f"undecodable image ({exc.__class__.__name__}): {msg}"


def to_rgb(im) -> "object":
    """Any Pillow mode to RGB; transparency is flattened onto white."""
    from PIL import Image

    if im.mode == "RGB":
        return im
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, im).convert("RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(arr.astype(np.uint8), "L").convert("RGB")
    return im.convert("RGB")


#: long screenshots and scroll posters (长图) keep this aspect ratio's worth
#: of detail along their length; OCR reads them in tiles
MAX_LONG_ASPECT = 24


def working_copy(im, max_side: int) -> tuple[np.ndarray, float]:
    """RGB array no larger than ``max_side`` (for long images: a short side no
    larger than ``max_side`` and at most MAX_LONG_ASPECT times that along the
    length), and the factor back to ``im``'s coordinates."""
    from PIL import Image

    im = to_rgb(im)
    w, h = im.size
    scale = 1.0
    short, long_ = min(w, h), max(w, h)
    if long_ > 3 * short:
        scale = max(1.0, short / max_side, long_ / (max_side * MAX_LONG_ASPECT))
    elif long_ > max_side:
        scale = long_ / max_side
    if scale > 1.0:
        im = im.resize((max(1, round(w / scale)), max(1, round(h / scale))), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(im, dtype=np.uint8), scale


def _orientation(im) -> int | None:
    try:
        o = im.getexif().get(0x0112)
        return int(o) if o else None
    except Exception:
        return None


def decode_image(data: bytes, limits: MediaLimits = DEFAULT_LIMITS) -> DecodedImage:
    """Decode ``data`` safely into frames for the image stages, or raise RejectedInput."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise RejectedInput("empty image: no bytes were uploaded")
    if len(data) > limits.max_image_bytes:
        raise RejectedInput(f"image is {len(data)} bytes, over the {limits.max_image_bytes}-byte cap")
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        problem = png_problem(data)
        if problem:
            raise RejectedInput(problem)
    Image.init()  # register every plugin, so formats= below can name them
    try:
        im = Image.open(io.BytesIO(data), formats=[f for f in ALLOWED_FORMATS if f in Image.OPEN])
    except UnidentifiedImageError:
        raise RejectedInput(
            "not a decodable image: the bytes match none of " + ", ".join(ALLOWED_FORMATS)
        ) from None
    except Exception as exc:  # Pillow raises many kinds on hostile headers
        raise RejectedInput(_reason(exc)) from None

    with im:
        fmt = im.format or "?"
        w, h = im.size
        if w <= 0 or h <= 0:
            raise RejectedInput(f"image declares an empty size {w}x{h}")
        if w * h > limits.max_pixels:
            raise RejectedInput(
                f"decompression bomb: image declares {w}x{h} = {w * h} pixels, over the cap of {limits.max_pixels}"
            )
        # frames, counted before decoding any of them
        delays: list[float] | None = None
        if fmt == "GIF":
            try:
                delays = gif_frames(data, limits.max_animation_frames)
            except GifStructureError as exc:
                raise RejectedInput(f"truncated image: {exc}") from None
            n_frames = len(delays)
        elif fmt in ("PNG", "WEBP"):  # animated PNG / WebP; other formats' extra pages are not looked at
            try:
                n_frames = int(getattr(im, "n_frames", 1) or 1)
            except Exception as exc:
                raise RejectedInput(_reason(exc)) from None
        else:
            n_frames = 1
        if n_frames > limits.max_animation_frames:
            raise RejectedInput(f"animation has over {limits.max_animation_frames} frames (the cap)")
        if n_frames * w * h > limits.max_animation_pixels:
            raise RejectedInput(
                f"animation bomb: {n_frames} frames of {w}x{h} pixels exceed the cap of "
                f"{limits.max_animation_pixels} pixels"
            )
        orientation: int | None = None
        notes: list[str] = []
        animated = n_frames > 1 and fmt in ("GIF", "PNG", "WEBP")
        if animated:
            k = min(n_frames, max(1, limits.animation_sample_frames))
            wanted = sorted({round(i * (n_frames - 1) / max(1, k - 1)) for i in range(k)})
        else:
            wanted = [0]
            if fmt in ("JPEG", "MPO") and max(w, h) > 2 * limits.analysis_max_side:
                # let libjpeg decode at 1/2, 1/4 or 1/8 scale: far cheaper for big photos
                target = limits.analysis_max_side / max(w, h)
                im.draft("RGB", (max(1, int(w * target)), max(1, int(h * target))))
        frames: list[Frame] = []
        oriented_size = (w, h)
        for idx in wanted:
            try:
                if idx:
                    im.seek(idx)
                im.load()
                if not frames:
                    # only after load(): PNG's getexif() loads the image itself
                    # and would swallow a decoding error here
                    orientation = _orientation(im)
                frame_im = im
                if orientation and orientation != 1:
                    try:
                        frame_im = ImageOps.exif_transpose(im)
                    except Exception as exc:  # broken EXIF: keep the pixels as stored
                        notes.append(f"EXIF orientation unreadable: {exc}")
                fw, fh = frame_im.size
                # draft() may have shrunk the decode: scale back to the declared size
                rot = orientation in (5, 6, 7, 8)
                oriented_size = (h, w) if rot else (w, h)
                arr, scale = working_copy(frame_im, limits.analysis_max_side)
                scale *= oriented_size[0] / fw
            except RejectedInput:
                raise
            except Exception as exc:
                if frames:  # a later animation frame is broken: keep what decoded
                    notes.append(f"frame {idx} undecodable: {_reason(exc)}")
                    break
                raise RejectedInput(_reason(exc)) from None
            t: float | None = None
            if animated:
                t = sum(delays[:idx]) if delays is not None else idx * (im.info.get("duration") or 100) / 1000.0
                t = round(t, 3)
            frames.append(Frame(arr, t, scale))
    return DecodedImage(fmt, oriented_size, frames, n_frames, orientation, notes)
