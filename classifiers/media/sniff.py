"""What the bytes really are, whatever the upload claimed.

Magic numbers first (exact, cheap, and they cannot be fooled by a misleading
extension); magika's model, which ships inside its wheel, for everything the
table does not know (scripts, source code, text, office formats). The ingest
API sets an item's ``kind``/``mime`` from this and refuses lies such as an
executable declared as an image.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from modpipe.domain import Kind

from .lazy import Lazy

#: labels whose bytes run as programs; never acceptable where an image, video
#: or text was declared, and malware for plain files unless the platform allows them
EXECUTABLE_LABELS = frozenset({"pebin", "elf", "macho", "dex", "apk", "jar", "javabytecode", "msi", "coff", "dmg"})
#: labels that are scripts: fine as documents, lies where media was declared
SCRIPT_LABELS = frozenset(
    {"shell", "batch", "powershell", "vba", "vbs", "javascript", "jscript", "hta", "wsf", "python", "perl", "php", "lnk"}
)
ARCHIVE_LABELS = frozenset({"zip", "gzip", "tar", "bzip2", "xz", "7z", "rar", "zstd", "cab"})
IMAGE_LABELS = frozenset({"png", "jpeg", "gif", "webp", "bmp", "tiff", "ico", "heic", "avif", "jxl", "svg", "psd"})
VIDEO_LABELS = frozenset({"mp4", "mov", "webm", "mkv", "avi", "flv", "3gp", "mpegts", "mpeg", "wmv"})


@dataclass(frozen=True)
class SniffResult:
    """``label`` is a short type name (magika's vocabulary where it has one)."""

    kind: Kind
    mime: str
    label: str
    source: str = "magic"  # "magic" or "magika"
    macro: bool = False  # an office document carrying VBA macros

    @property
    def executable(self) -> bool:
        return self.label in EXECUTABLE_LABELS

    @property
    def script(self) -> bool:
        return self.label in SCRIPT_LABELS

    @property
    def dangerous(self) -> bool:
        """Code or macros: refused wherever an image, video or text was declared."""
        return self.executable or self.script or self.macro

    @property
    def archive(self) -> bool:
        return self.label in ARCHIVE_LABELS


def _kind(label: str) -> Kind:
    if label in IMAGE_LABELS:
        return Kind.IMAGE
    if label in VIDEO_LABELS:
        return Kind.VIDEO
    return Kind.FILE


_MIME = {
    "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "bmp": "image/bmp",
    "tiff": "image/tiff", "ico": "image/vnd.microsoft.icon", "heic": "image/heic", "avif": "image/avif",
    "jxl": "image/jxl", "psd": "image/vnd.adobe.photoshop",
    "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "mkv": "video/x-matroska",
    "avi": "video/x-msvideo", "flv": "video/x-flv", "3gp": "video/3gpp", "mpegts": "video/mp2t",
    "mpeg": "video/mpeg", "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac",
    "zip": "application/zip", "gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
    "7z": "application/x-7z-compressed", "rar": "application/vnd.rar", "zstd": "application/zstd",
    "tar": "application/x-tar", "cab": "application/vnd.ms-cab-compressed",
    "pdf": "application/pdf", "rtf": "application/rtf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "msi": "application/x-msi", "ole": "application/x-ole-storage",
    "pebin": "application/vnd.microsoft.portable-executable", "elf": "application/x-elf",
    "macho": "application/x-mach-binary", "javabytecode": "application/java-vm", "jar": "application/java-archive",
    "apk": "application/vnd.android.package-archive", "dex": "application/x-dex",
    "lnk": "application/x-ms-shortcut",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VBA_MARKERS = (b"_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T\x00", b"V\x00B\x00A\x00\x00\x00")


def _ftyp(data: bytes) -> str | None:
    if len(data) < 12 or data[4:8] != b"ftyp":
        return None
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, min(len(data), struct.unpack(">I", data[:4])[0], 64), 4)}
    if brands & {b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"}:
        return "avif" if b"avif" in brands or b"avis" in brands else "heic"
    if brands & {b"avif", b"avis"}:
        return "avif"
    if data[8:12] == b"qt  ":
        return "mov"
    if data[8:11] in (b"3gp", b"3g2"):
        return "3gp"
    return "mp4"


def _zip_flavour(data: bytes) -> tuple[str, bool]:
    """Office documents, Java and Android packages are zips; names tell them apart."""
    macro = b"vbaProject.bin" in data
    if b"[Content_Types].xml" in data:
        for marker, label in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
            if marker in data:
                return label, macro
    if b"AndroidManifest.xml" in data and b"classes.dex" in data:
        return "apk", macro
    if b"META-INF/MANIFEST.MF" in data and b".class" in data:
        return "jar", macro
    return "zip", macro


def _magic(data: bytes) -> tuple[str, bool] | None:
    """(label, macro) from the file's leading bytes, or None when unknown."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", False
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", False
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", False
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(head[8:12], "riff"), False
    if head[:2] == b"BM" and len(data) >= 26 and struct.unpack("<I", data[14:18])[0] in (12, 40, 52, 56, 64, 108, 124):
        return "bmp", False
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff", False
    if head[:4] == b"\x00\x00\x01\x00" and len(data) > 6:
        return "ico", False
    if head[:2] == b"\xff\x0a" or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "jxl", False
    if head[:4] == b"8BPS":
        return "psd", False
    ftyp = _ftyp(data)
    if ftyp:
        return ftyp, False
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ("webm" if b"webm" in data[:64] else "mkv"), False
    if head[:3] == b"FLV":
        return "flv", False
    if head[:4] == b"\x00\x00\x01\xba":
        return "mpeg", False
    if len(data) > 376 and data[0] == 0x47 and data[188] == 0x47 and data[376] == 0x47:
        return "mpegts", False
    if head[:16] == b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c":
        return "wmv", False
    if head[:2] == b"MZ" and len(data) >= 64:
        pe = struct.unpack("<I", data[60:64])[0]
        if data[pe : pe + 4] == b"PE\x00\x00" or b"\x00" in head:
            return "pebin", False
    if head[:4] == b"\x7fELF":
        return "elf", False
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return "macho", False
    if head[:4] == b"\xca\xfe\xba\xbe":
        # fat Mach-O and Java class files share this magic; class files have a
        # major version (>= 45) where fat binaries have a small arch count
        return ("javabytecode" if len(data) > 8 and struct.unpack(">H", data[6:8])[0] >= 45 else "macho"), False
    if head[:4] == b"dex\n":
        return "dex", False
    if head[:20] == b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F":
        return "lnk", False
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _zip_flavour(data)
    if head[:2] == b"\x1f\x8b":
        return "gzip", False
    if head[:3] == b"BZh":
        return "bzip2", False
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz", False
    if head[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7z", False
    if head[:6] == b"Rar!\x1a\x07":
        return "rar", False
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd", False
    if head[:4] == b"MSCF":
        return "cab", False
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar", False
    if head[:5] == b"%PDF-":
        return "pdf", False
    if head[:5] == b"{\\rtf":
        return "rtf", False
    if head[:8] == _OLE_MAGIC:
        return "ole", any(m in data for m in _VBA_MARKERS)
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "mp3", False
    if head[:4] == b"OggS":
        return "ogg", False
    if head[:4] == b"fLaC":
        return "flac", False
    return None


def _load_magika():
    from magika import Magika  # the model ships inside the wheel

    return Magika()


MAGIKA: Lazy = Lazy(_load_magika)

_MAGIKA_RENAMES = {"vbscript": "vbs"}


def _magika(data: bytes) -> SniffResult:
    result = MAGIKA.get().identify_bytes(data)
    out = result.output
    label = _MAGIKA_RENAMES.get(str(out.label), str(out.label))
    return SniffResult(kind=_kind(label), mime=str(out.mime_type), label=label, source="magika")


def sniff(data: bytes, filename: str | None = None) -> SniffResult:
    """The true type of ``data``. ``filename`` is only a tie-breaker for OLE
    containers (doc/xls/ppt/msi share one format); it never overrides the bytes."""
    if not data:
        return SniffResult(Kind.FILE, "application/x-empty", "empty")
    found = _magic(data)
    if found is not None:
        label, macro = found
        if label == "ole":
            ml = _magika(data).label
            label = ml if ml in ("doc", "xls", "ppt", "msi") else "ole"
            if label == "ole" and filename and filename.lower().endswith(".msi"):
                label = "msi"
        return SniffResult(_kind(label), _MIME.get(label, "application/octet-stream"), label, "magic", macro)
    # a leading shebang is a script whatever the model says
    if data[:2] == b"#!":
        first = data[: data.find(b"\n")] if b"\n" in data[:200] else data[:200]
        label = "python" if b"python" in first else "perl" if b"perl" in first else "shell"
        return SniffResult(Kind.FILE, "text/x-script", label, "magic")
    return _magika(data)
