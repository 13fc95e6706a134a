"""``modpipe bench rules``: throughput of the rule stage against a raw ahocorasick-rs scan.

    python -m rules.bench [--short] [--texts N] [--length 100]

Both sides scan the same texts (100-character pieces of the shared labelled
sets) with the same terms (every keyword of the default rule set), one core,
one process. "raw" is ahocorasick-rs on the original strings with no
normalisation and no rule logic; "rules" is RuleClassifier.scan with every
normalisation on, variants, combinations, regexes, allow phrases, contexts,
word checks and domain lists. Figures are texts/s and MB/s of UTF-8 input.
"""

from __future__ import annotations

import argparse
import random
import time

import ahocorasick_rs

from classifiers.base import Content
from modpipe.domain import Kind

from .classifier import RuleClassifier
from .datasets import rows


def make_texts(n: int, length: int, seed: int = 7) -> list[str]:
    pool = [r.text for r in rows("eval")]
    if not pool:
        pool = ["警惕网络赌博诈骗，如遇可疑情况请拨打110。", "今天天气很好，我们去公园散步吧。", "加薇信 １２３４５ 领取福利"]
    rnd = random.Random(seed)
    rnd.shuffle(pool)
    stream = "".join(pool)
    while len(stream) < n * length:
        stream += stream
    return [stream[i * length:(i + 1) * length] for i in range(n)]


def _rate(label: str, seconds: float, texts: list[str], nbytes: int) -> dict:
    return {"label": label, "seconds": seconds, "texts_per_s": len(texts) / seconds, "mb_per_s": nbytes / seconds / 1e6}


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(n: int, length: int, repeat: int, batch: int = 1000) -> dict:
    clf = RuleClassifier()
    t0 = time.perf_counter()
    live = clf.live
    load_s = time.perf_counter() - t0
    texts = make_texts(n, length)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    terms = sorted({k.term for k in live.rules.keywords})
    raw = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MATCHKIND_STANDARD)

    def raw_each() -> None:
        for t in texts:
            raw.find_matches_as_indexes(t, overlapping=True)

    joined = "\n".join(texts)

    def raw_joined() -> None:
        raw.find_matches_as_indexes(joined, overlapping=True)

    def rules_batch() -> None:
        for lo in range(0, len(texts), batch):
            clf.scan(texts[lo:lo + batch])

    sub = texts[: max(1, len(texts) // 10)]
    contents = [Content(kind=Kind.TEXT, text=t) for t in sub]

    def rules_classify() -> None:
        for c in contents:
            clf.classify(c)

    results = [
        _rate("raw ahocorasick-rs, one call per text", _best(raw_each, repeat), texts, nbytes),
        _rate("raw ahocorasick-rs, texts joined", _best(raw_joined, repeat), texts, nbytes),
        _rate(f"rules scan, batches of {batch}, all normalisations", _best(rules_batch, repeat), texts, nbytes),
        _rate("rules classify(), one item at a time", _best(rules_classify, repeat), sub,
              sum(len(t.encode("utf-8")) for t in sub)),
    ]
    hits = sum(bool(h) for lo in range(0, len(texts), batch) for h in clf.scan(texts[lo:lo + batch]))
    return {"texts": n, "length": length, "terms": len(terms), "patterns": len(live.rules.patterns),
            "load_seconds": load_s, "texts_with_hits": hits, "results": results, "version": clf.version}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Rule-stage throughput against raw ahocorasick-rs")
    ap.add_argument("--short", action="store_true", help="5,000 texts, one pass (for tests)")
    ap.add_argument("--texts", type=int, default=None)
    ap.add_argument("--length", type=int, default=100)
    args = ap.parse_args(argv)
    n = args.texts or (5_000 if args.short else 50_000)
    res = run(n, args.length, repeat=1 if args.short else 3)
    print(f"rule set {res['version']}: {res['terms']} keyword terms, {res['patterns']} automaton patterns, "
          f"compiled in {res['load_seconds']:.2f} s")
    print(f"{res['texts']} texts of {res['length']} characters, {res['texts_with_hits']} with a hit; one core")
    for r in res["results"]:
        print(f"  {r['label']:<52}{r['texts_per_s']:>12,.0f} texts/s{r['mb_per_s']:>9.1f} MB/s")
    best_raw = max(res["results"][0]["mb_per_s"], res["results"][1]["mb_per_s"])
    ours = res["results"][2]["mb_per_s"]
    print(f"  rules / best raw: {ours / best_raw:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
