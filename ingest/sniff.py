"""Interim type sniffing by magic numbers, until the media stages' sniffer lands."""

from __future__ import annotations

from dataclasses import dataclass

from modpipe.domain import Kind


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    mime: str


_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", Kind.IMAGE, "image/png"),
    (b"\xff\xd8\xff", Kind.IMAGE, "image/jpeg"),
    (b"GIF87a", Kind.IMAGE, "image/gif"),
    (b"GIF89a", Kind.IMAGE, "image/gif"),
    (b"\x1a\x45\xdf\xa3", Kind.VIDEO, "video/webm"),
]


def sniff(data: bytes, filename: str | None = None) -> Sniffed:
    for magic, kind, mime in _MAGIC:
        if data.startswith(magic):
            return Sniffed(kind, mime)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed(Kind.IMAGE, "image/webp")
    if data[4:8] == b"ftyp":
        return Sniffed(Kind.VIDEO, "video/mp4")
    return Sniffed(Kind.FILE, "application/octet-stream")
