"""Spellings a term is written in to slip past a filter, generated on the rule side.

Rewriting the *text* into pinyin or merging split characters costs time on
every item and invents matches; adding the variant spellings of each rule to
the automaton costs nothing per item. Tables live in ``rules/data/``:
``homophones.tsv`` (contact words: 微信 -> 薇信, vx, ...) and
``split_chars.tsv`` (拆字: 强 -> 弓虽).
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _read_table(name: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, values = line.partition("\t")
        table[key.strip()] = tuple(v.strip() for v in values.split("|") if v.strip())
    return table


@functools.lru_cache(maxsize=1)
def homophones() -> dict[str, tuple[str, ...]]:
    return _read_table("homophones.tsv")


@functools.lru_cache(maxsize=1)
def split_chars() -> dict[str, tuple[str, ...]]:
    return _read_table("split_chars.tsv")


def is_cjk(s: str) -> bool:
    return bool(s) and all("\u3400" <= ch <= "\u9fff" for ch in s)


@functools.lru_cache(maxsize=None)
def _py(ch: str) -> str:
    """First reading of a character, tone marks removed (pypinyin's own table)."""
    import unicodedata

    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(ch))
    if not readings:
        return ""
    first = readings.split(",")[0]
    return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c)).replace("ü", "v")


def pinyin(term: str) -> list[str]:
    """Full pinyin without tones (网络赌博 -> wangluodubo), for all-CJK terms of 2+ characters."""
    if not is_cjk(term) or len(term) < 2:
        return []
    return ["".join(_py(ch) for ch in term)]


def initials(term: str) -> list[str]:
    """Pinyin initials (法轮功 -> flg), only where a rule asks for them: they are ambiguous."""
    if not is_cjk(term) or len(term) < 3:
        return []
    return ["".join(_py(ch)[:1] for ch in term)]


def homophone_variants(term: str, limit: int = 400) -> list[str]:
    """Contact words in the term replaced by their homophones, in every combination (加微信 -> 家vx)."""
    found = {term}
    for word, subs in homophones().items():
        found |= {v.replace(word, sub) for v in found if word in v for sub in subs}
        if len(found) > limit:
            break
    found.discard(term)
    return sorted(found)[:limit]


def split_variants(term: str, limit: int = 16) -> list[str]:
    """拆字: every combination of split / whole characters, capped at ``limit``."""
    table = split_chars()
    options = [(ch,) + table.get(ch, ()) for ch in term]
    if all(len(o) == 1 for o in options):
        return []
    out = []
    for combo in itertools.islice(itertools.product(*options), limit + 1):
        s = "".join(combo)
        if s != term:
            out.append(s)
    return out[:limit]
