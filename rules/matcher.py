"""Scan a batch of texts against compiled rule sets and return hits in original offsets.

The order of a scan: normalise the batch; one automaton pass per rule set;
keep ASCII patterns only at ASCII word edges; drop ``match=word`` keywords
that a more common dictionary word straddles (路口交通 does not contain the
word 口交); evaluate combination and triggered regex rules; cancel hits that
overlap an allow phrase; demote hits near a context word (警惕, 远离, 举报...):
block -> review, review -> dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .compiler import ALLOW, CONTEXT, KW, NEAR_A, NEAR_B, TRIGGER, Compiled
from .normalize import Normalised

MIN_STRADDLE_FREQ = 5


@dataclass(slots=True)
class Hit:
    """One rule hit; ``start``/``end`` are offsets in the original text, ``ns``/``ne`` in the normalised batch."""

    category: object
    rule_id: str
    severity: str
    start: int
    end: int
    what: str  # the keyword, the pair of words, or the pattern id
    matched: str  # the original characters
    source: str
    kind: str  # keyword | near | regex | domain
    ns: int
    ne: int
    note: str = ""

    @property
    def detail(self) -> str:
        return f"{self.kind} {self.what}: {self.matched!r}{self.note}"


def _straddled(freq: dict[str, int], text: str, s: int, e: int) -> str | None:
    """A dictionary word more common than the term that crosses either edge of text[s:e]."""
    own = max(freq.get(text[s:e], 0), MIN_STRADDLE_FREQ)
    for i in range(max(0, s - 3), s):  # words that start before s and end inside the term
        for j in range(s + 1, min(e, i + 5)):
            w = text[i:j]
            if freq.get(w, 0) > own:
                return w
    for i in range(s + 1, e):  # words that start inside the term and end after it
        for j in range(e + 1, min(len(text), i + 4) + 1):
            w = text[i:j]
            if freq.get(w, 0) > own:
                return w
    return None


def _ascii_edge_ok(orig: str, ls: int, le: int) -> bool:
    before = orig[ls - 1] if ls > 0 else " "
    after = orig[le] if le < len(orig) else " "
    return not ((before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()))


class _Batch:
    """Positions of one normalised batch, with helpers to map back to each text."""

    def __init__(self, norm: Normalised) -> None:
        self.norm = norm
        self.origin = norm.origin
        self.nstarts = np.searchsorted(norm.origin, norm.starts)
        self.nends = np.append(self.nstarts[1:] - 1, len(norm.units)) if len(self.nstarts) else self.nstarts
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.norm.text
        return self._text

    def local(self, k: int, s: int, e: int) -> tuple[int, int]:
        base = int(self.norm.starts[k])
        return int(self.origin[s]) - base, int(self.origin[e - 1]) + 1 - base

    def groups(self, raw: list, producing: np.ndarray | None) -> dict[int, list[tuple[int, int, int]]]:
        """Matches per text, for texts where at least one match can make a hit (not only context words)."""
        out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        if not raw:
            return out
        arr = np.asarray(raw, dtype=np.int64)
        arr = arr[(arr[:, 1] & 1) == 0]
        arr[:, 1:] >>= 1
        tix = np.searchsorted(self.nstarts, arr[:, 1], side="right") - 1
        live = np.unique(tix[producing[arr[:, 0]]]) if producing is not None else self.nstarts
        if len(live) < len(self.nstarts):
            sel = np.isin(tix, live)
            arr, tix = arr[sel], tix[sel]
        for (p, s, e), k in zip(arr.tolist(), tix.tolist()):
            out[k].append((p, s, e))
        return out


def _collect(c: Compiled, b: _Batch, k: int, matches, hits, allows, ctxs) -> None:
    orig = b.norm.originals[k]
    base = int(b.norm.starts[k])
    origin, targets, ascii_p, keywords, freq = b.origin, c.targets, c.ascii_pattern, c.keywords, c.word_freq
    near_a: dict = {}
    near_b: dict = {}
    triggered: set = set()
    text = b.text
    for p, s, e in matches:
        ls, le = int(origin[s]) - base, int(origin[e - 1]) + 1 - base
        is_ascii = ascii_p[p]
        if is_ascii and not _ascii_edge_ok(orig, ls, le):
            continue
        straddle = None
        for kind, ref in targets[p]:
            if kind == KW:
                kw = keywords[ref]
                if kw.match == "word" and not is_ascii and freq is not None:
                    if straddle is None:
                        straddle = _straddled(freq, text, s, e) is not None
                    if straddle:
                        continue
                hits.append(Hit(kw.category, kw.rule_id, kw.severity, ls, le, repr(kw.term), orig[ls:le],
                                kw.source, "keyword", s, e))
            elif kind == CONTEXT:
                ctxs.append((s, e, c.contexts[ref].window))
            elif kind == ALLOW:
                allows.append((s, e, c.allows[ref].category))
            elif kind == NEAR_A:
                near_a.setdefault(ref, []).append((s, e))
            elif kind == NEAR_B:
                near_b.setdefault(ref, []).append((s, e))
            elif kind == TRIGGER:
                triggered.add(ref)
    for ref in near_a.keys() & near_b.keys():
        rule = c.nears[ref]
        best = None
        for a in near_a[ref]:
            for bb in near_b[ref]:
                gap = max(a[0], bb[0]) - min(a[1], bb[1])
                if gap <= rule.window and (best is None or gap < best[0]):
                    best = (gap, min(a[0], bb[0]), max(a[1], bb[1]), a, bb)
        if best:
            _, s, e, a, bb = best
            ls, le = b.local(k, s, e)
            what = f"{b.text[a[0]:a[1]]!r} within {rule.window} of {b.text[bb[0]:bb[1]]!r}"
            hits.append(Hit(rule.category, rule.rule_id, rule.severity, ls, le, what, orig[ls:le], rule.source,
                            "near", s, e))
    for ref in triggered:
        _regex(c, b, k, ref, hits)


def _regex(c: Compiled, b: _Batch, k: int, ref: int, hits: list[Hit]) -> None:
    rule, rx = c.regexes[ref], c.compiled_regexes[ref]
    orig = b.norm.originals[k]
    for m in rx.finditer(b.text, int(b.nstarts[k]), int(b.nends[k])):
        if m.end() > m.start():
            ls, le = b.local(k, m.start(), m.end())
            hits.append(Hit(rule.category, rule.rule_id, rule.severity, ls, le, rule.rule_id, orig[ls:le],
                            rule.source, "regex", m.start(), m.end()))


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """One hit per rule per place: of overlapping hits of the same rule keep the longest."""
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h.rule_id, h.ns, h.ns - h.ne))
    out = [hits[0]]
    for h in hits[1:]:
        last = out[-1]
        if h.rule_id == last.rule_id and h.ns < last.ne and h.kind == last.kind:
            if h.ne - h.ns > last.ne - last.ns:
                out[-1] = h
            continue
        out.append(h)
    out.sort(key=lambda h: (h.start, h.rule_id))
    return out


def _finish(b: _Batch, hits: list[Hit], allows, ctxs) -> list[Hit]:
    hits = _dedupe(hits)
    if allows:
        hits = [h for h in hits if not any(a_s < h.ne and h.ns < a_e and (cat is None or cat == h.category)
                                           for a_s, a_e, cat in allows)]
    if ctxs and hits:
        kept = []
        for h in hits:
            if h.kind != "regex":
                word = next((b.text[cs:ce] for cs, ce, w in ctxs
                             if (0 <= h.ns - ce <= w and "\n" not in b.text[ce:h.ns])
                             or (0 <= cs - h.ne <= w and "\n" not in b.text[h.ne:cs])), None)
                if word is not None:
                    if h.severity == "review":
                        continue
                    h.severity = "review"
                    h.note = f" (demoted: context {word!r})"
            kept.append(h)
        hits = kept
    return hits


def scan(sets: list[Compiled], norm: Normalised) -> list[list[Hit]]:
    """Hits per text, for every compiled set given (the default set, then an organisation's)."""
    b = _Batch(norm)
    data = norm.units.tobytes()
    per_set = []
    for c in sets:
        # A lone set may skip texts whose matches are all allow/context words; with an organisation's
        # set beside it, each set's allow and context words must reach the other's hits.
        producing = c.producing if len(sets) == 1 else None
        groups = b.groups(c.automaton.find_matches_as_indexes(data, overlapping=True), producing) if c.automaton else {}
        per_set.append((c, groups))
    out: list[list[Hit]] = [[] for _ in norm.originals]
    loose: dict[int, list[Hit]] = defaultdict(list)
    for c in sets:
        for i in c.untriggered:  # regexes without a trigger word run once over the whole batch
            rule, rx = c.regexes[i], c.compiled_regexes[i]
            for m in rx.finditer(b.text):
                if m.end() <= m.start():
                    continue
                k = int(np.searchsorted(b.nstarts, m.start(), side="right") - 1)
                ls, le = b.local(k, m.start(), m.end())
                loose[k].append(Hit(rule.category, rule.rule_id, rule.severity, ls, le, rule.rule_id,
                                    norm.originals[k][ls:le], rule.source, "regex", m.start(), m.end()))
    touched = set(loose).union(*(g.keys() for _, g in per_set))
    for k in sorted(touched):
        hits: list[Hit] = list(loose.get(k, ()))
        allows: list = []
        ctxs: list = []
        for c, groups in per_set:
            if k in groups:
                _collect(c, b, k, groups[k], hits, allows, ctxs)
        if hits:
            out[k] = _finish(b, hits, allows, ctxs)
    return out
