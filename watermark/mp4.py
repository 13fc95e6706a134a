"""MP4/QuickTime ``udta`` labels, by walking boxes (no demuxer, hostile-input safe).

Read: ``moov/udta/AIGC`` (a box whose payload is the JSON; what we write) and
``moov[/udta]/meta`` with an ``mdta`` key ``AIGC`` in ``keys``/``ilst`` (what
``ffmpeg -metadata AIGC=... -movflags use_metadata_tags`` writes). Every size
is checked against its parent; depth and box count are bounded.

Write: put ``moov/udta/AIGC`` in place, and when ``moov`` sits before ``mdat``
shift the chunk offsets (``stco``/``co64``) by the bytes added.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

CONTAINERS = {b"moov", b"udta", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"ilst"}
MAX_DEPTH = 8
MAX_BOXES = 20000
MAX_VALUE = 64 * 1024


class BoxError(ValueError):
    pass


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) for each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    pos, count = start, 0
    while pos + 8 <= end:
        count += 1
        if count > MAX_BOXES:
            raise BoxError("too many boxes")
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise BoxError("truncated 64-bit box header")
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise BoxError(f"box {kind!r} at {pos} claims {size} bytes, only {end - pos} left")
        yield kind, pos, pos + header, pos + size
        pos += size


def _meta_children(data: bytes, payload: int, end: int) -> int:
    # ISO 'meta' is a full box (4 bytes of version/flags first); QuickTime's is not.
    if end - payload >= 8 and data[payload + 4 : payload + 8] in (b"hdlr", b"keys", b"ilst"):
        return payload
    return payload + 4


def _read_meta(data: bytes, start: int, end: int) -> str | None:
    keys: list[bytes] = []
    ilst = None
    for kind, _, payload, box_end in boxes(data, start, end):
        if kind == b"keys" and box_end - payload >= 8:
            n = struct.unpack(">I", data[payload + 4 : payload + 8])[0]
            pos = payload + 8
            for _ in range(min(n, 1000)):
                if pos + 8 > box_end:
                    break
                ksize = struct.unpack(">I", data[pos : pos + 4])[0]
                if ksize < 8 or pos + ksize > box_end:
                    break
                keys.append(data[pos + 8 : pos + ksize])
                pos += ksize
        elif kind == b"ilst":
            ilst = (payload, box_end)
    if ilst is None:
        return None
    for kind, _, payload, box_end in boxes(data, *ilst):
        index = struct.unpack(">I", kind)[0]
        name = keys[index - 1] if 0 < index <= len(keys) else kind
        if name.lower() not in (b"aigc", b"com.tc260.aigc"):
            continue
        for dkind, _, dpay, dend in boxes(data, payload, box_end):
            if dkind == b"data" and dend - dpay >= 8:
                return data[dpay + 8 : min(dend, dpay + 8 + MAX_VALUE)].decode("utf-8", errors="replace")
    return None


def read_labels(data: bytes) -> list[tuple[str, str]]:
    """Raw label JSON found in the file, with where: ``[(json, "mp4:udta"), ...]``."""
    found: list[tuple[str, str]] = []
    try:
        moov = next(((p, e) for k, _, p, e in boxes(data) if k == b"moov"), None)
        if moov is None:
            return found
        for kind, _, payload, end in boxes(data, *moov):
            if kind == b"udta":
                for ukind, _, upay, uend in boxes(data, payload, end):
                    if ukind == b"AIGC":
                        raw = data[upay : min(uend, upay + MAX_VALUE)]
                        brace = raw.find(b"{")
                        found.append((raw[brace if 0 <= brace < 8 else 0 :].decode("utf-8", "replace"),
                                      "mp4:udta"))
                    elif ukind == b"meta":
                        value = _read_meta(data, _meta_children(data, upay, uend), uend)
                        if value is not None:
                            found.append((value, "mp4:udta"))
            elif kind == b"meta":
                value = _read_meta(data, _meta_children(data, payload, end), end)
                if value is not None:
                    found.append((value, "mp4:meta"))
    except (BoxError, struct.error) as exc:
        found.append(("", f"mp4:invalid ({exc})"))
    return found


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _shift_offsets(moov: bytearray, delta: int, start: int, end: int, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise BoxError("boxes nested too deep")
    for kind, _, payload, box_end in boxes(moov, start, end):
        if kind in (b"trak", b"mdia", b"minf", b"stbl"):
            _shift_offsets(moov, delta, payload, box_end, depth + 1)
        elif kind in (b"stco", b"co64"):
            n = struct.unpack(">I", moov[payload + 4 : payload + 8])[0]
            width, fmt = (4, ">I") if kind == b"stco" else (8, ">Q")
            if payload + 8 + n * width > box_end:
                raise BoxError(f"{kind!r} table overruns its box")
            for i in range(n):
                off = payload + 8 + i * width
                (v,) = struct.unpack(fmt, moov[off : off + width])
                struct.pack_into(fmt, moov, off, v + delta)


def write_label(data: bytes, label_json: str) -> bytes:
    """A copy of the MP4 with ``moov/udta/AIGC`` set to ``label_json``."""
    top = list(boxes(data))
    moov = next((b for b in top if b[0] == b"moov"), None)
    if moov is None:
        raise BoxError("no moov box: not an MP4 this writer can label")
    _, mstart, mpay, mend = moov
    if mpay - mstart != 8:
        raise BoxError("64-bit moov headers are not supported")
    new_label = _box(b"AIGC", label_json.encode("utf-8"))
    children = b""
    had_udta = False
    for kind, bstart, bpay, bend in boxes(data, mpay, mend):
        if kind == b"udta":
            had_udta = True
            inner = b"".join(data[s:e] for k, s, _, e in boxes(data, bpay, bend) if k != b"AIGC")
            children += _box(b"udta", inner + new_label)
        else:
            children += data[bstart:bend]
    if not had_udta:
        children += _box(b"udta", new_label)
    new_moov = bytearray(_box(b"moov", children))
    delta = len(new_moov) - (mend - mstart)
    mdat_after = any(k == b"mdat" and s > mstart for k, s, _, _ in top)
    if mdat_after and delta:
        _shift_offsets(new_moov, delta, 8, len(new_moov))
    return data[:mstart] + bytes(new_moov) + data[mend:]
