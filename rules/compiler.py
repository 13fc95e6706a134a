"""Turn a parsed RuleSet into one automaton plus the tables a scan needs.

Every keyword, its variant spellings, the words of combination rules, allow
phrases, context words and regex triggers are normalised with the same
Normaliser as the text, encoded as UTF-16 code units and put into one
ahocorasick-rs automaton. One pass over a batch then finds all of them; each
pattern carries the list of (kind, rule) targets it stands for.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import ahocorasick_rs
import numpy as np

from modpipe.domain import Category
from modpipe.errors import RuleError

from . import variants
from .normalize import SEP, Normaliser
from .ruleset import Allow, Context, Keyword, Near, Regex, RuleSet

KW, NEAR_A, NEAR_B, ALLOW, CONTEXT, TRIGGER = range(6)


@dataclass
class Compiled:
    normaliser: Normaliser
    keywords: list[Keyword]
    regexes: list[Regex]
    nears: list[Near]
    allows: list[Allow]
    contexts: list[Context]
    patterns: list[str]
    targets: list[tuple[tuple[int, int], ...]]
    ascii_pattern: list[bool]
    automaton: object | None
    compiled_regexes: list[re.Pattern]
    untriggered: list[int]
    word_freq: dict[str, int] | None
    version: str
    producing: "np.ndarray"  # per pattern: can this pattern make a hit (not only allow/context)?
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def term_count(self) -> int:
        return len(self.keywords)


def _is_ascii_word(s: str) -> bool:
    return s.isascii() and s.isalnum()


def _jieba_freq() -> dict[str, int]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


class _Patterns:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.targets: list[list[tuple[int, int]]] = []

    def add(self, pattern: str, kind: int, ref: int) -> None:
        if not pattern:
            return
        i = self.index.get(pattern)
        if i is None:
            i = self.index[pattern] = len(self.targets)
            self.targets.append([])
        if (kind, ref) not in self.targets[i]:
            self.targets[i].append((kind, ref))


def compile_rules(rs: RuleSet, normaliser: Normaliser, fingerprint: str = "") -> Compiled:
    """Compile or raise RuleError naming the file and line of the first rule that cannot work."""
    norm_list = lambda items: normaliser.batch(list(items)).text.split(SEP) if items else []  # noqa: E731
    pats = _Patterns()
    kw_norm = norm_list(k.term for k in rs.keywords)
    extra: list[tuple[int, list[str]]] = []
    for i, (kw, n) in enumerate(zip(rs.keywords, kw_norm)):
        if not n or n == "\n":
            raise RuleError(kw.where.path, kw.where.line, f"keyword {kw.term!r} normalises to nothing; remove it")
        if len(n) == 1 and len(kw.term.strip()) > 1:
            raise RuleError(kw.where.path, kw.where.line,
                            f"keyword {kw.term!r} normalises to the single character {n!r} and would match "
                            "everywhere; write a longer phrase")
        pats.add(n, KW, i)
        more: list[str] = []
        if kw.pinyin:
            more += [p for p in variants.pinyin(kw.term) if len(p) >= 4]
        if kw.initials:
            more += variants.initials(kw.term)
        if kw.homophones:
            more += variants.homophone_variants(kw.term)
        if kw.split:
            more += variants.split_variants(kw.term)
        if more:
            extra.append((i, more))
    flat = [(i, v) for i, vs in extra for v in vs]
    for (i, _), n in zip(flat, norm_list(v for _, v in flat)):
        if len(n) >= 2:
            pats.add(n, KW, i)
    for i, near in enumerate(rs.nears):
        for n in norm_list(near.a):
            pats.add(n, NEAR_A, i)
        for n in norm_list(near.b):
            pats.add(n, NEAR_B, i)
    for i, (allow, n) in enumerate(zip(rs.allows, norm_list(a.phrase for a in rs.allows))):
        if not n:
            raise RuleError(allow.where.path, allow.where.line, f"allow phrase {allow.phrase!r} normalises to nothing")
        pats.add(n, ALLOW, i)
    for i, ctx in enumerate(rs.contexts):
        for n in norm_list(ctx.words):
            pats.add(n, CONTEXT, i)
    compiled_regexes, untriggered = [], []
    for i, rx in enumerate(rs.regexes):
        try:
            compiled_regexes.append(re.compile(rx.pattern))
        except re.error as exc:
            raise RuleError(rx.where.path, rx.where.line, f"bad regular expression: {exc}") from None
        if rx.triggers:
            for n in norm_list(rx.triggers):
                pats.add(n, TRIGGER, i)
        else:
            untriggered.append(i)
    patterns = list(pats.index)
    automaton = None
    if patterns:
        automaton = ahocorasick_rs.BytesAhoCorasick(
            [p.encode("utf-16-le") for p in patterns], matchkind=ahocorasick_rs.MATCHKIND_STANDARD
        )
    need_words = any(k.match == "word" for k in rs.keywords)
    h = hashlib.sha256(fingerprint.encode())
    h.update(normaliser.opts.key().encode())
    version = h.hexdigest()[:12]
    stats = defaultdict(int)
    for k in rs.keywords:
        stats[f"{k.severity}"] += 1
    stats["patterns"] = len(patterns)
    return Compiled(
        normaliser, rs.keywords, rs.regexes, rs.nears, rs.allows, rs.contexts, patterns,
        [tuple(t) for t in pats.targets], [_is_ascii_word(p) for p in patterns], automaton,
        compiled_regexes, untriggered, _jieba_freq() if need_words else None, version,
        np.array([any(kind in (KW, NEAR_A, NEAR_B, TRIGGER) for kind, _ in t) for t in pats.targets], dtype=bool),
        dict(stats),
    )


def categories_of(c: Compiled) -> set[Category]:
    return {k.category for k in c.keywords} | {r.category for r in c.regexes} | {n.category for n in c.nears}
