from classifiers.media import sniff, synth
from modpipe.domain import Kind
from tests.media.hostile import ELF, EICAR, PE, _docx, _ole, _zip


def test_images_are_known_by_their_bytes_not_their_names():
    im = synth.photo_like((64, 64))
    for fmt, label in (("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("WEBP", "webp"), ("BMP", "bmp"), ("TIFF", "tiff")):
        s = sniff(synth.encode(im, fmt), filename="document.pdf")
        assert (s.kind, s.label) == (Kind.IMAGE, label)
        assert s.mime.startswith("image/")
        assert not s.dangerous


def test_video_and_archives(small_clip):
    s = sniff(small_clip)
    assert (s.kind, s.label, s.mime) == (Kind.VIDEO, "mp4", "video/mp4")
    z = sniff(_zip({"a.txt": b"hi"}))
    assert z.label == "zip" and z.archive and z.kind == Kind.FILE


def test_executables_scripts_and_macros_are_dangerous():
    assert sniff(PE, "cat.jpg").label == "pebin" and sniff(PE).executable
    assert sniff(ELF).label == "elf" and sniff(ELF).dangerous
    assert sniff(b"#!/bin/sh\necho hi\n").script
    docm = sniff(_docx("x", macro=b"Attribute VB_Name"))
    assert docm.label == "docx" and docm.macro and docm.dangerous
    assert sniff(_ole(True)).macro
    assert not sniff(_ole(False)).macro


def test_magika_names_what_the_table_does_not_know():
    s = sniff("本次活动共筹得善款三千元，全部用于购买书籍。感谢各位志愿者的辛勤付出。".encode())
    assert s.source == "magika" and s.label == "txt" and s.kind == Kind.FILE
    assert sniff(EICAR).kind == Kind.FILE
    assert sniff(b"").label == "empty"
