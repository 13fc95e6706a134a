#!/usr/bin/env python
"""Build the default lexicon rules from the public lexicons in shared/datasets, reproducibly.

    python scripts/curate_rules.py [--datasets DIR]

Reads the lexicons (see shared/datasets/README.md), routes every term to one of
the 17 categories (typed lists by their file, untyped lists by the cues in
rules/curation/cues.tsv), normalises and de-duplicates it, and decides:

* drop: shorter than 2 characters after normalisation; 2 characters from an
  untyped list without a strong cue; a word that hand rules use only inside a
  combination or as context (names of martyrs, 警惕); ASCII shorter than 4
  letters or with digits only; a very common word (jieba frequency >= 3000);
  a dictionary word (frequency >= 20: 莎士比亚, 得寸进尺) without a strong cue;
  a hit in 2+ clean rows of the *curate* half of the labelled sets and the
  project's everyday texts, or in 1
  clean row without 2+ flagged rows to show for it; a hand ``drop`` decision;
  already a hand-written rule.
* block: a category-specific list or strong cue, a category where a keyword can
  be unambiguous (cults, terror, weapons/drugs, porn/gambling, malware), 4+
  characters, not itself a dictionary word, no clean hit at all. It also gets
  its pinyin and split-character spellings.
* review everything else; ``match=word`` (a more common word straddling an
  edge cancels the hit) for terms of 3 characters or fewer, dictionary words
  and terms with one clean hit.

Then rules/decisions.tsv overrides. Outputs rules/data/lexicon/<slug>.rules,
rules/data/domains/<list>.txt and rules/curation/report.json. Only the curate
half of the data is read here; ``python -m rules.evaluate`` reports on the eval half.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ahocorasick_rs  # noqa: E402
import numpy as np  # noqa: E402

from modpipe.domain import Category  # noqa: E402
from rules.datasets import datasets_dir, rows  # noqa: E402
from rules.matcher import _straddled  # noqa: E402
from rules.normalize import SEP, Normaliser  # noqa: E402

OUT = ROOT / "rules" / "data" / "lexicon"
DOMAINS = ROOT / "rules" / "data" / "domains"
CURATION = ROOT / "rules" / "curation"
BLOCKABLE = {"religion_cult_superstition", "terrorism_extremism", "illegal_content", "porn_gambling_violence", "malware"}
COMMON_FREQ = 3000
WEAK_WORD_FREQ = 20

# Typed lists: file -> (category or None to route by cue, strong?)
TYPED = {
    "lexicon_konsheng/Vocabulary/色情词库.txt": ("porn_gambling_violence", True),
    "lexicon_konsheng/Vocabulary/色情类型.txt": ("porn_gambling_violence", True),
    "lexicon_funnlp/色情词库.txt": ("porn_gambling_violence", True),
    "lexicon_konsheng/Vocabulary/涉枪涉爆.txt": ("illegal_content", True),
    "lexicon_funnlp/涉枪涉爆违法信息关键词.txt": ("illegal_content", True),
    "lexicon_konsheng/Vocabulary/暴恐词库.txt": ("terrorism_extremism", True),
    "lexicon_funnlp/暴恐词库.txt": ("terrorism_extremism", True),
    "lexicon_konsheng/Vocabulary/反动词库.txt": ("national_security", False),
    "lexicon_funnlp/反动词库.txt": ("national_security", False),
    "lexicon_konsheng/Vocabulary/政治类型.txt": ("national_security", False),
    "lexicon_funnlp/政治类.txt": ("national_security", False),
    "lexicon_konsheng/Vocabulary/新思想启蒙.txt": ("national_security", False),
    "lexicon_konsheng/Vocabulary/民生词库.txt": ("illegal_assembly", False),
    "lexicon_funnlp/民生词库.txt": ("illegal_assembly", False),
    "lexicon_konsheng/Vocabulary/贪腐词库.txt": ("other_illegal", False),
    "lexicon_konsheng/Vocabulary/其他词库.txt": ("other_illegal", False),
    "lexicon_konsheng/Vocabulary/广告类型.txt": ("spam_ads_sexual", False),
    "lexicon_funnlp/广告.txt": ("spam_ads_sexual", False),
    "lexicon_konsheng/Vocabulary/COVID-19词库.txt": ("rumor_disorder", False),
    "toxicn/lexicon/general.txt": ("insult_defamation_privacy", False),
    "toxicn/lexicon/LGBT.txt": ("insult_defamation_privacy", False),
    "toxicn/lexicon/sexism.txt": ("insult_defamation_privacy", False),
    "toxicn/lexicon/racism.txt": ("ethnic_hatred", False),
    "toxicn/lexicon/region.txt": ("ethnic_hatred", False),
    "swsr/SexHateLex.txt": ("insult_defamation_privacy", False),
    "lexicon_konsheng/Vocabulary/零时-Tencent.txt": (None, False),
    "lexicon_konsheng/Vocabulary/GFW补充词库.txt": (None, False),
    "lexicon_konsheng/Vocabulary/补充词库.txt": (None, False),
    "lexicon_konsheng/Vocabulary/网易前端过滤敏感词库.txt": (None, False),
    "lexicon_funnlp/敏感词.txt": (None, False),
    "lexicon_houbb/dict_v20240407.txt": (None, False),
}
TYPED_TSV = "lexicon_funnlp/敏感词及类型.txt"
TSV_TYPES = {"色情": ("porn_gambling_violence", True), "暴恐": ("terrorism_extremism", True),
             "反动": ("national_security", False), "民生": ("illegal_assembly", False),
             "贪腐": ("other_illegal", False), "其他": (None, False)}
URL_LISTS = ("lexicon_konsheng/Vocabulary/非法网址.txt", "lexicon_funnlp/网址.txt")
DOMAIN_RE = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,10})(?:[/:?].*)?$")
IP_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}")
DOMAIN_CUES = {
    "gambling": re.compile(r"bet|casino|bocai|baijiale|amcp|xpj|dubo|lottery|caipiao|qipai|touzhu|liuhecai|pk10|sbobet|"
                           r"weinisi|jinsha|huangguan|duchang|yule|^hg\d|^vns|bjl\d|^ag\d|ssc\d|lhc"),
    "porn": re.compile(r"sex|porn|xxx|jav|avav|av\d|\dav|seqing|luoli|loli|nude|hentai|fuck|setu|huangse|chengren|"
                       r"adult|meinv|qvod|kuaibo|91p|18p|se\d\d|\d\dse|yinse|rape"),
    "malware": re.compile(r"virus|trojan|hack|exploit|keylog|spyware|malware|phish|botnet|miner|waigua|muma|heike|"
                          r"antispy|pcfix|regcure|speedup|optimizer|cleaner"),
}
SAFE_DOMAINS = {"baidu.com", "qq.com", "sina.com", "sina.com.cn", "weibo.com", "t.cn", "google.com", "github.com",
                "163.com", "126.com", "sohu.com", "taobao.com", "tmall.com", "jd.com", "youku.com", "gov.cn",
                "people.com.cn", "xinhuanet.com", "cctv.com", "weixin.qq.com", "microsoft.com", "apple.com"}


def read_lines(path: Path) -> list[str]:
    return [ln.strip().replace("\t", " ") for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]


def load_cues() -> list[tuple[str, list[tuple[str, bool]]]]:
    out = []
    for line in (CURATION / "cues.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cat, _, cues = line.partition("\t")
        Category.parse(cat)
        out.append((cat, [(c.lstrip("!"), c.startswith("!")) for c in cues.split("|") if c]))
    return out


def load_decisions() -> dict[str, tuple[str, str | None]]:
    out = {}
    for line in (CURATION / "decisions.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if parts[1] not in ("drop", "review", "block", "word"):
            raise SystemExit(f"decisions.tsv: bad action {parts[1]!r} for {parts[0]!r}")
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
    return out


def route(norm: str, cues) -> tuple[str, bool]:
    for cat, items in cues:
        for cue, strong in items:
            if cue in norm:
                return cat, strong
    return "other_illegal", False


def count_hits(terms: list[str], texts: list[str], word_mode: list[bool], norm: Normaliser, freq) -> np.ndarray:
    """Number of distinct texts each term hits (straddle check applied to word-mode terms)."""
    counts = np.zeros(len(terms), dtype=np.int64)
    ac = ahocorasick_rs.BytesAhoCorasick([t.encode("utf-16-le") for t in terms],
                                         matchkind=ahocorasick_rs.MATCHKIND_STANDARD)
    for lo in range(0, len(texts), 4000):
        nb = norm.batch(texts[lo:lo + 4000])
        ntext = nb.text
        nstarts = np.searchsorted(nb.origin, nb.starts)
        raw = ac.find_matches_as_indexes(nb.units.tobytes(), overlapping=True)
        if not raw:
            continue
        arr = np.asarray(raw, dtype=np.int64)
        arr = arr[(arr[:, 1] & 1) == 0]
        arr[:, 1:] >>= 1
        keep = np.ones(len(arr), dtype=bool)
        for i, (p, s, e) in enumerate(arr.tolist()):
            if word_mode[p] and _straddled(freq, ntext, s, e):
                keep[i] = False
        arr = arr[keep]
        tix = np.searchsorted(nstarts, arr[:, 1], side="right") - 1
        pairs = np.unique(arr[:, 0] * 10_000_000 + tix)
        np.add.at(counts, pairs // 10_000_000, 1)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=None)
    args = ap.parse_args(argv)
    root = args.datasets or datasets_dir()
    t0 = time.time()
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    freq = jieba.dt.FREQ
    norm = Normaliser()
    cues = load_cues()
    decisions = load_decisions()
    hand_files = sorted(p for p in (ROOT / "rules" / "data").glob("*.rules"))
    from rules.ruleset import RuleSet, parse

    hand = RuleSet.empty()
    for p in hand_files:
        hand.extend(parse(p.read_text(encoding="utf-8"), str(p), None if p.stem.startswith("_") else Category.parse(p.stem)))
    hand_norm = set(norm.batch([k.term for k in hand.keywords]).text.split(SEP)) if hand.keywords else set()
    # Words that hand rules use only in combination or as context (烈士 names, 警惕...) never stand alone.
    parts = [w for n in hand.nears for w in n.a + n.b] + [w for c in hand.contexts for w in c.words]
    parts += [a.phrase for a in hand.allows]
    hand_parts = set(norm.batch(parts).text.split(SEP)) if parts else set()

    # 1. every entry with its category hint
    raw: list[tuple[str, str | None, bool, str]] = []  # term, category, strong, source
    for rel, (cat, strong) in TYPED.items():
        p = root / rel
        if p.exists():
            src = rel.split("/")[0].removeprefix("lexicon_") + ":" + Path(rel).stem
            raw += [(t, cat, strong, src) for t in read_lines(p) if t]
    p = root / TYPED_TSV
    if p.exists():
        for line in read_lines(p)[1:]:
            parts = line.split()
            if len(parts) >= 4 and parts[1] in TSV_TYPES:
                cat, strong = TSV_TYPES[parts[1]]
                raw.append((" ".join(parts[3:]), cat, strong, "funnlp:敏感词及类型/" + parts[1]))
    url_terms = [t for rel in URL_LISTS if (root / rel).exists() for t in read_lines(root / rel) if t]

    # 2. split off domains, normalise, de-duplicate (typed lists first, so their category wins)
    domains: set[str] = set()
    terms: list[tuple[str, str | None, bool, str]] = []
    for t, cat, strong, src in raw:
        low = t.lower().strip()
        m = DOMAIN_RE.match(low)
        if m or IP_RE.match(low):
            if m:
                domains.add(m.group(1))
            continue
        terms.append((t, cat, strong, src))
    for t in url_terms:
        m = DOMAIN_RE.match(t.lower().strip())
        if m:
            domains.add(m.group(1))
    normed = norm.batch([t for t, *_ in terms]).text.split(SEP)
    entries: dict[str, dict] = {}
    for (t, cat, strong, src), n in zip(terms, normed):
        n = n.replace("\n", "")
        if n in entries:
            e = entries[n]
            if e["category"] is None and cat is not None:
                e.update(category=cat, strong=strong, source=src)
            continue
        entries[n] = {"term": t, "category": cat, "strong": strong, "source": src}
    reasons = collections.Counter()
    cands = []
    for n, e in entries.items():
        if n in decisions and decisions[n][0] == "drop":
            reasons["hand decision: drop"] += 1
            continue
        if n in hand_norm:
            reasons["already a hand-written rule"] += 1
            continue
        if n in hand_parts:
            reasons["a word hand rules use only in combination or context"] += 1
            continue
        if len(n) < 2:
            reasons["shorter than 2 characters"] += 1
            continue
        if n.isascii() and (len(n) < 4 or not n.isalpha()):
            reasons["ASCII shorter than 4 letters or not letters"] += 1
            continue
        if freq.get(n, 0) >= COMMON_FREQ:
            reasons["common word (jieba frequency >= 3000)"] += 1
            continue
        typed = e["category"] is not None
        if not typed:
            e["category"], e["strong"] = route(n, cues)
        elif e["strong"]:
            e["strong"] = any(cue in n for cat, items in cues for cue, strong in items if strong)
        if len(n) == 2 and not n.isascii() and not typed and not e["strong"] and n not in decisions:
            reasons["2 characters from an untyped list without a strong cue"] += 1
            continue
        if freq.get(n, 0) >= WEAK_WORD_FREQ and not e["strong"] and n not in decisions:
            reasons["dictionary word (jieba frequency >= 20) without a strong cue"] += 1
            continue
        if n in decisions and decisions[n][1]:
            e["category"] = decisions[n][1]
        cands.append(n)

    # 3. hits on the curate half
    data = rows("curate", root)
    clean = [r.text for r in data if r.clean]
    flagged = [r.text for r in data if not r.clean]
    word_mode = [len(n) <= 3 or freq.get(n, 0) > 0 for n in cands]
    c_hits = count_hits(cands, clean, word_mode, norm, freq)
    f_hits = count_hits(cands, flagged, word_mode, norm, freq)

    # 4. decide
    kept: dict[str, list] = collections.defaultdict(list)
    for i, n in enumerate(cands):
        e = entries[n]
        c, f = int(c_hits[i]), int(f_hits[i])
        if c >= 2 or (c == 1 and f < 2):
            reasons["hits clean rows (curate half)"] += 1
            continue
        word = word_mode[i] or c == 1
        block = (not word and c == 0 and e["strong"] and e["category"] in BLOCKABLE and len(n) >= 4)
        action = decisions.get(n, (None, None))[0]
        if action == "block":
            block, word = True, False
        elif action == "review":
            block, word = False, False
        elif action == "word":
            block, word = False, True
        severity = "block" if block else "review"
        kept[e["category"]].append((severity, "word" if word else "substring", e["source"], e["term"], n))

    # 5. write
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.rules"):
        old.unlink()
    stats = {}
    for cat in sorted(kept):
        items = sorted(kept[cat], key=lambda x: (x[0], x[1], x[2], x[4]))
        lines = ["# Generated by scripts/curate_rules.py from shared/datasets lexicons; do not edit by hand.",
                 "# Edit rules/curation/decisions.tsv or cues.tsv and re-run the script.", ""]
        cur = None
        for severity, match, source, term, n in items:
            key = (severity, match, source)
            if key != cur:
                extra = " pinyin=yes split=yes" if severity == "block" else ""
                lines.append(f"@set severity={severity} match={match} source={source}{extra}")
                cur = key
            line = term.strip()
            if line.startswith(("#", "@", "\\")):
                line = "\\" + line
            lines.append(line)
        (OUT / f"{cat}.rules").write_text("\n".join(lines) + "\n", encoding="utf-8")
        stats[cat] = dict(collections.Counter(s for s, *_ in items))

    # domains: sorted into lists by cues in the name; dropped if seen in clean rows or well known
    clean_joined = "\n".join(clean).lower()
    DOMAINS.mkdir(parents=True, exist_ok=True)
    lists: dict[str, list[str]] = collections.defaultdict(list)
    dropped_domains = 0
    for d in sorted(domains):
        if d in SAFE_DOMAINS or any(d.endswith("." + s) for s in SAFE_DOMAINS) or d in clean_joined:
            dropped_domains += 1
            continue
        name = next((k for k, rx in DOMAIN_CUES.items() if rx.search(d)), "ads")
        lists[name].append(d)
    for name, items in lists.items():
        header = [f"# {name}: generated by scripts/curate_rules.py from {', '.join(URL_LISTS)}",
                  "# (public blacklists, unlabelled; sorted into lists by cues in the name)."]
        (DOMAINS / f"{name}.txt").write_text("\n".join(header + items) + "\n", encoding="utf-8")
    if not (DOMAINS / "malware.txt").exists():
        (DOMAINS / "malware.txt").write_text("# malware: no entries\n", encoding="utf-8")

    report = {
        "lexicon_entries": len(raw), "unique_after_normalisation": len(entries), "candidates": len(cands),
        "kept": sum(len(v) for v in kept.values()), "per_category": stats,
        "dropped": dict(reasons.most_common()),
        "curate_rows": {"clean": len(clean), "flagged": len(flagged)},
        "domains": {k: len(v) for k, v in lists.items()}, "domains_dropped": dropped_domains,
        "seconds": round(time.time() - t0, 1),
    }
    CURATION.mkdir(exist_ok=True)
    (CURATION / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
