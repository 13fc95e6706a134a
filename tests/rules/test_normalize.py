"""Each normalisation step undoes its evasion, can be switched off, and maps back to original offsets."""

import dataclasses

import pytest

from rules.normalize import NormOptions, Normaliser

CASES = [  # step, evasive text, normalised form
    ("t2s", "網絡賭博", "网络赌博"),
    ("t2s", "法輪大法", "法轮大法"),
    ("width", "ＡＢＣ１２３", "abc123"),
    ("case", "FaLunGong", "falungong"),
    ("invisible", "法\u200b轮\u200d功\ufeff", "法轮功"),
    ("symbols", "法*轮*功", "法轮功"),
    ("symbols", "法 轮 功", "法轮功"),
    ("symbols", "法.轮。功！", "法轮功"),
    ("symbols", "赌🌸博", "赌博"),
    ("repeats", "法法法轮轮功", "法轮功"),
    ("digits", "①②③④⑤", "12345"),
    ("digits", "Ⅷ❶➁", "812"),
    ("homoglyphs", "раy", "pay"),  # Cyrillic р and а
    ("homoglyphs", "𝐰𝐱", "wx"),  # mathematical bold
    ("width", "⼈民", "人民"),  # Kangxi radical
]


@pytest.mark.parametrize("step,text,want", CASES)
def test_step_undoes_evasion(step, text, want):
    assert Normaliser().text(text) == want


@pytest.mark.parametrize("step,text,want", [c for c in CASES if c[0] in ("t2s", "invisible", "repeats", "digits", "case")])
def test_step_can_be_switched_off(step, text, want):
    off = Normaliser(dataclasses.replace(NormOptions(), **{step: False}))
    assert off.text(text) != want


def test_offsets_point_at_original_characters():
    text = "快来 網*絡*賭*博 吧"
    n = Normaliser()
    norm, origin = n.with_offsets(text)
    i = norm.index("网络赌博")
    start, end = origin[i], origin[i + 3] + 1
    assert text[start:end] == "網*絡*賭*博"


def test_batch_keeps_texts_apart_and_empty_texts():
    n = Normaliser()
    b = n.batch(["ab", "", "┙", "cd"])
    assert b.text.split("\x00") == ["ab", "", "", "cd"]


def test_phone_digits_do_not_collapse():
    assert Normaliser().text("13800138000") == "13800138000"


def test_symbol_words():
    assert Normaliser().text("➕V") == "加v"
    assert Normaliser().text("100🌽") == "100元"


def test_all_output_in_bmp_for_any_input():
    text = "".join(chr(c) for c in range(0x10000, 0x10400)) + "𠀀𪚥" + "\ud800".encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    out = Normaliser().text(text)
    assert all(ord(ch) < 0x10000 for ch in out)
