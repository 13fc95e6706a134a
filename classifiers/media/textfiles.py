"""Text out of text-like files, so the same rules and text models read it.

Plain text, markup and source code are decoded (UTF-8/16 with or without a
BOM, else GB18030, which covers GBK and GB2312); markup loses its tags and
scripts. Office Open XML documents (docx/xlsx/pptx) are zips of XML: their
text parts are read through the archive caps and stripped the same way.
PDF text is not extracted (no PDF parser is in the lock).
"""

from __future__ import annotations

import html
import re

TEXT_LABELS = frozenset(
    {"txt", "markdown", "csv", "tsv", "json", "jsonl", "xml", "html", "yaml", "toml", "ini", "rtf", "srt", "vtt",
     "shell", "batch", "powershell", "python", "javascript", "typescript", "php", "perl", "ruby", "go", "java",
     "c", "cpp", "cs", "rust", "sql", "vba", "vbs", "css", "latex", "rst", "empty", "svg", "hta", "wsf"}
)
MARKUP_LABELS = frozenset({"html", "xml", "svg", "hta", "wsf"})
_TAGS = re.compile(r"<[^>]{0,2000}>")
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def decode_text(data: bytes, max_chars: int) -> str:
    head = data[: max_chars * 4]
    if head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", "replace")
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # cut inside the last character by our own slice
                text = head[: exc.start].decode("utf-8", "replace")
            else:
                text = head.decode("gb18030", "replace")
    return text.replace("\x00", "")[:max_chars]


def strip_markup(text: str) -> str:
    text = _SCRIPTS.sub(" ", text)
    text = _TAGS.sub(" ", text)
    text = html.unescape(text)
    return "\n".join(s for s in (_SPACES.sub(" ", line).strip() for line in text.splitlines()) if s)


def is_text_label(label: str) -> bool:
    return label in TEXT_LABELS


def looks_like_text(data: bytes) -> bool:
    """Short or GBK/UTF-16 texts that the type model calls "unknown"."""
    head = data[:4096]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:
                continue
            text = head[: exc.start].decode(enc, "replace")
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
        return printable >= 0.95 * len(text)
    return False


def text_of(data: bytes, label: str, max_chars: int) -> str:
    """Readable text of a text-like file, or "" for anything else."""
    if label == "unknown" and looks_like_text(data):
        label = "txt"
    if label not in TEXT_LABELS or label == "empty":
        return ""
    text = decode_text(data, max_chars)
    if label in MARKUP_LABELS:
        text = strip_markup(text)
    return text


#: which parts of an Office Open XML package hold its words
OOXML_TEXT_PARTS = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|comments)\.xml|xl/sharedStrings\.xml|"
                              r"ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml)$")
_OOXML_BREAKS = re.compile(r"</w:p>|</a:p>|</si>|<w:br/>|<w:tab/>")


def ooxml_part_text(xml: bytes, max_chars: int) -> str:
    text = decode_text(xml, max_chars * 4)
    text = _OOXML_BREAKS.sub("\n", text)
    return strip_markup(text)[:max_chars]
