"""XMP packets carrying ``TC260:AIGC``: build one, find the label in one.

The value may be an element (``<TC260:AIGC>{...}</TC260:AIGC>``) or an attribute
of ``rdf:Description``; both occur. XMP from users is hostile input: packets
with a DOCTYPE or entities are refused before the XML parser sees them, and a
packet that does not parse is still searched with a plain pattern.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
MAX_XMP = 1024 * 1024
_TAG = f"{{{NS}}}AIGC"
_ELEMENT_RE = re.compile(rb"<TC260:AIGC>(.*?)</TC260:AIGC>", re.S)
_ATTR_RE = re.compile(rb"TC260:AIGC\s*=\s*(\"[^\"]*\"|'[^']*')", re.S)


def build(label_json: str) -> bytes:
    """An XMP packet holding ``label_json`` (the bare seven-field object or wrapped)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{NS}">'
        f"<TC260:AIGC>{escape(label_json)}</TC260:AIGC>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode("utf-8")


def find_label(packet: bytes | str) -> str | None:
    """The raw ``TC260:AIGC`` value in an XMP packet, or None when it has none."""
    if isinstance(packet, str):
        packet = packet.encode("utf-8", errors="replace")
    packet = packet[:MAX_XMP]
    if b"TC260" not in packet and NS.encode() not in packet:
        return None
    if b"<!DOCTYPE" not in packet and b"<!ENTITY" not in packet:
        try:
            root = ET.fromstring(_strip_pi(packet))
        except ET.ParseError:
            root = None
        if root is not None:
            for el in root.iter():
                if el.tag == _TAG and el.text and el.text.strip():
                    return el.text.strip()
                if _TAG in el.attrib:
                    return el.attrib[_TAG]
    m = _ELEMENT_RE.search(packet)
    if m:
        return html.unescape(m.group(1).decode("utf-8", errors="replace")).strip()
    m = _ATTR_RE.search(packet)
    if m:
        return html.unescape(m.group(1)[1:-1].decode("utf-8", errors="replace"))
    return None


def _strip_pi(packet: bytes) -> bytes:
    start = packet.find(b"<x:xmpmeta")
    if start < 0:
        start = packet.find(b"<rdf:RDF")
    end = packet.rfind(b"</x:xmpmeta>")
    if start >= 0 and end > start:
        return packet[start : end + len(b"</x:xmpmeta>")]
    return packet[max(start, 0) :] if start >= 0 else packet
