"""Count a GIF's frames and read their delays without decoding a pixel.

Pillow learns how many frames a GIF has by seeking through (and decoding)
all of them, which is exactly what an animation bomb wants. Walking the block
structure costs a few microseconds per frame and lets the caps apply first.
"""

from __future__ import annotations


class GifStructureError(ValueError):
    pass


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    n = len(data)
    while True:
        if pos >= n:
            raise GifStructureError("GIF ends inside a data block")
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size


def gif_frames(data: bytes, max_frames: int) -> list[float]:
    """The delay (seconds) of each frame, in order; stops counting past ``max_frames``.

    Raises GifStructureError for a stream that is cut short or malformed before
    its first frame; a stream cut after some frames returns those frames
    (Pillow decides later whether they decode).
    """
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise GifStructureError("not a GIF header")
    flags = data[10]
    pos = 13
    if flags & 0x80:
        pos += 3 * (2 ** ((flags & 0x07) + 1))
    delays: list[float] = []
    delay = 0.1
    n = len(data)
    try:
        while pos < n and len(delays) <= max_frames:
            block = data[pos]
            if block == 0x3B:  # trailer
                break
            if block == 0x21:  # extension
                if pos + 1 >= n:
                    raise GifStructureError("GIF ends inside an extension")
                label = data[pos + 1]
                if label == 0xF9 and pos + 6 < n:  # graphic control: delay in 1/100 s
                    d = int.from_bytes(data[pos + 4 : pos + 6], "little")
                    delay = d / 100.0 if d >= 2 else 0.1  # browsers treat 0-1 as 0.1 s
                pos = _skip_sub_blocks(data, pos + 2)
            elif block == 0x2C:  # image descriptor
                if pos + 10 > n:
                    raise GifStructureError("GIF ends inside an image descriptor")
                lflags = data[pos + 9]
                pos += 10
                if lflags & 0x80:
                    pos += 3 * (2 ** ((lflags & 0x07) + 1))
                pos += 1  # LZW minimum code size
                pos = _skip_sub_blocks(data, pos)
                delays.append(delay)
                delay = 0.1
            else:
                raise GifStructureError(f"unknown GIF block 0x{block:02x} at byte {pos}")
    except GifStructureError:
        if not delays:
            raise
    return delays
