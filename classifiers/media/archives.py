"""Look inside archives without ever extracting a bomb.

Nothing is written to disk. Sizes are checked from the archive's own
directory before anything is read (member count from the zip's end record,
before Python builds a list of them), then every read is capped, so a member
that lies about its size still stops at the cap. A bomb (too many members,
too much output, too high a ratio, nested too deep) is hostile content: it is
reported as ``bomb`` and the malware classifier blocks the item.

Zip (and Office Open XML, jar, apk), tar, and gzip/bzip2/xz streams are read;
7z, rar and cab are identified but not opened (no reader in the lock), which
the malware classifier reports for review.
"""

from __future__ import annotations

import bz2
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field

from .limits import MediaLimits
from .sniff import sniff
from .textfiles import OOXML_TEXT_PARTS, ooxml_part_text, text_of
from . import yara_rules

READ_CHUNK = 1 << 16


class ArchiveBomb(Exception):
    pass


@dataclass
class Member:
    name: str
    size: int
    label: str = "?"
    executable: bool = False
    macro: bool = False
    encrypted: bool = False


@dataclass
class ArchiveReport:
    label: str
    members: list[Member] = field(default_factory=list)
    total: int = 0  # bytes the members decompress to (as far as read)
    bomb: str | None = None
    unreadable: str | None = None  # why the archive could not be opened
    encrypted: bool = False
    traversal: list[str] = field(default_factory=list)  # member names that climb out ("../", "/etc/...")
    texts: dict[str, str] = field(default_factory=dict)
    yara: list[dict] = field(default_factory=list)

    def to_signal(self) -> dict:
        return {
            "label": self.label,
            "members": len(self.members),
            "total_uncompressed": self.total,
            "bomb": self.bomb,
            "unreadable": self.unreadable,
            "encrypted": self.encrypted,
            "traversal": self.traversal[:20],
            "executables": [m.name for m in self.members if m.executable][:20],
            "macros": [m.name for m in self.members if m.macro][:20],
            "listing": [{"name": m.name[:200], "size": m.size, "label": m.label} for m in self.members[:50]],
        }


class _Budget:
    """Bytes still allowed out of this archive (shared by nested levels)."""

    def __init__(self, limits: MediaLimits, compressed: int) -> None:
        self.limits = limits
        self.compressed = max(1, compressed)
        self.total = 0
        self.members = 0

    def count_member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_archive_members:
            raise ArchiveBomb(f"more than {self.limits.max_archive_members} members")

    def spend(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.max_archive_total:
            raise ArchiveBomb(f"members decompress to over {self.limits.max_archive_total} bytes")
        # the ratio only means something once the output is large enough to matter
        if self.total > 10 * 1024 * 1024 and self.total / self.compressed > self.limits.max_archive_ratio:
            raise ArchiveBomb(
                f"compression ratio over {self.limits.max_archive_ratio:g}:1 "
                f"({self.total} bytes out of {self.compressed})"
            )


def _zip_declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (zip64 aware)."""
    tail = data[-(65536 + 22):]
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return None
    total = struct.unpack("<H", tail[pos + 10 : pos + 12])[0]
    if total == 0xFFFF:
        loc = tail.rfind(b"PK\x06\x07", 0, pos)
        if loc >= 0 and loc + 20 <= len(tail):
            off = struct.unpack("<Q", tail[loc + 8 : loc + 16])[0]
            if off + 56 <= len(data) and data[off : off + 4] == b"PK\x06\x06":
                return struct.unpack("<Q", data[off + 32 : off + 40])[0]
    return total


def _read_capped(fp, cap: int, budget: _Budget) -> tuple[bytes, int]:
    """First ``cap`` bytes of a member and its whole length, charging the budget as it goes."""
    kept = bytearray()
    total = 0
    while True:
        chunk = fp.read(READ_CHUNK)
        if not chunk:
            return bytes(kept), total
        total += len(chunk)
        budget.spend(len(chunk))
        if len(kept) < cap:
            kept += chunk[: cap - len(kept)]


def _decompress_stream(data: bytes, label: str, budget: _Budget) -> bytes:
    """A gzip/bzip2/xz stream's content, never more than the budget allows."""
    limit = budget.limits.max_archive_total - budget.total + 1
    if label == "gzip":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, limit)
    elif label == "bzip2":
        d = bz2.BZ2Decompressor()
        out = d.decompress(data, max_length=limit)
    else:
        d = lzma.LZMADecompressor()
        out = d.decompress(data, max_length=limit)
    budget.spend(len(out))
    return out


def _climbs_out(name: str) -> bool:
    n = name.replace("\\", "/")
    return n.startswith("/") or (len(n) > 1 and n[1] == ":") or ".." in n.split("/")


def _inspect_member(name: str, blob: bytes, size: int, report: ArchiveReport, depth: int, budget: _Budget) -> None:
    limits = budget.limits
    s = sniff(blob[: 1 << 20], name)
    m = Member(name, size, s.label, s.executable, s.macro)
    report.members.append(m)
    report.yara.extend(yara_rules.scan(blob, member=name))
    if s.archive:
        if depth >= limits.max_archive_depth:
            raise ArchiveBomb(f"archives nested more than {limits.max_archive_depth} deep ({name})")
        _inspect(blob, s.label, report, depth + 1, budget, prefix=f"{name}/")
        return
    if s.label in ("docx", "xlsx", "pptx") or s.macro:
        _inspect(blob, "zip", report, depth + 1, budget, prefix=f"{name}/", nested_office=True)
        return
    text = text_of(blob, s.label, limits.max_text_chars)
    if text.strip():
        report.texts[f"file:{name}"[:300]] = text


def _inspect_zip(data: bytes, report: ArchiveReport, depth: int, budget: _Budget, prefix: str, office: bool) -> None:
    limits = budget.limits
    declared = _zip_declared_entries(data)
    if declared is not None and declared > limits.max_archive_members:
        raise ArchiveBomb(f"zip declares {declared} members, over the cap of {limits.max_archive_members}")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        declared_total = sum(i.file_size for i in infos)
        if declared_total > limits.max_archive_total:
            raise ArchiveBomb(f"zip declares {declared_total} bytes of members, over {limits.max_archive_total}")
        if declared_total > 10 * 1024 * 1024 and declared_total / max(1, len(data)) > limits.max_archive_ratio:
            raise ArchiveBomb(f"zip declares a compression ratio of {declared_total / max(1, len(data)):.0f}:1")
        office_text: list[str] = []
        for info in infos:
            if info.is_dir():
                continue
            budget.count_member()
            name = prefix + info.filename
            if _climbs_out(info.filename):
                report.traversal.append(name)
            if info.flag_bits & 0x1:
                report.encrypted = True
                report.members.append(Member(name, info.file_size, "encrypted", encrypted=True))
                continue
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                report.members.append(Member(name, info.file_size, f"compression-{info.compress_type}"))
                continue
            with zf.open(info) as fp:
                blob, size = _read_capped(fp, limits.max_member_scan_bytes, budget)
            if office or OOXML_TEXT_PARTS.match(info.filename):
                if OOXML_TEXT_PARTS.match(info.filename):
                    office_text.append(ooxml_part_text(blob, limits.max_text_chars))
                    report.members.append(Member(name, size, "xml"))
                    continue
                if info.filename.lower().endswith("vbaproject.bin"):
                    report.members.append(Member(name, size, "vba", macro=True))
                    report.yara.extend(yara_rules.scan(blob, member=name))
                    continue
                if info.filename.endswith(".xml") or info.filename.endswith(".rels"):
                    report.members.append(Member(name, size, "xml"))
                    continue
            _inspect_member(name, blob, size, report, depth, budget)
        text = "\n".join(t for t in office_text if t.strip())
        if text:
            report.texts[f"file:{prefix}" if prefix else "file"] = text[: limits.max_text_chars]


def _inspect_tar(data: bytes, report: ArchiveReport, depth: int, budget: _Budget, prefix: str) -> None:
    limits = budget.limits
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        for info in tf:
            if not info.isfile():
                continue
            budget.count_member()
            if _climbs_out(info.name):
                report.traversal.append(prefix + info.name)
            if info.size > limits.max_archive_total:
                raise ArchiveBomb(f"tar member {info.name!r} declares {info.size} bytes")
            fp = tf.extractfile(info)
            if fp is None:
                continue
            blob, size = _read_capped(fp, limits.max_member_scan_bytes, budget)
            _inspect_member(prefix + info.name, blob, size, report, depth, budget)


def _inspect(data: bytes, label: str, report: ArchiveReport, depth: int, budget: _Budget, prefix: str = "",
             nested_office: bool = False) -> None:
    if label in ("zip", "docx", "xlsx", "pptx", "jar", "apk"):
        _inspect_zip(data, report, depth, budget, prefix, office=nested_office or label in ("docx", "xlsx", "pptx"))
    elif label == "tar":
        _inspect_tar(data, report, depth, budget, prefix)
    elif label in ("gzip", "bzip2", "xz"):
        inner = _decompress_stream(data, label, budget)
        s = sniff(inner[: 1 << 20])
        if s.label == "tar":
            _inspect_tar(inner, report, depth, budget, prefix)
        else:
            budget.count_member()
            _inspect_member(prefix + "(stream)", inner[: budget.limits.max_member_scan_bytes], len(inner), report,
                            depth, budget)
    else:
        report.unreadable = f"{label} archives are identified but not opened"


def inspect_archive(data: bytes, label: str, limits: MediaLimits) -> ArchiveReport:
    """Members, text, YARA hits and bomb verdict of an archive (or Office document)."""
    report = ArchiveReport(label)
    budget = _Budget(limits, len(data))
    try:
        _inspect(data, label, report, 0, budget)
    except ArchiveBomb as exc:
        report.bomb = str(exc)
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError, struct.error, IndexError, KeyError) as exc:
        report.unreadable = f"corrupt {label}: {exc.__class__.__name__}: {exc}"[:300]
    report.total = budget.total
    return report
