"""``modpipe bench rules``: throughput of the rule stage against a raw ahocorasick-rs scan.

    python -m rules.bench [--short] [--texts N] [--length 100]

Both sides scan the same texts (100-character pieces of the shared labelled
sets) with the same terms (every keyword of the default rule set), one core,
one process, rates per CPU-second of the process (wall-clock rates beside them). "raw" is ahocorasick-rs on the original strings with no
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


def _rate(label: str, cpu: float, wall: float, texts: list[str], nbytes: int) -> dict:
    return {"label": label, "cpu_seconds": cpu, "wall_seconds": wall, "texts_per_s": len(texts) / cpu,
            "mb_per_s": nbytes / cpu / 1e6, "wall_texts_per_s": len(texts) / wall}


def _timed(fn) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds). CPU time is what one core spends; on a machine
    shared with other jobs it is far steadier than wall time, which waits for the core too."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def run(n: int, length: int, repeat: int, batch: int = 1000) -> dict:
    clf = RuleClassifier()
    t0 = time.perf_counter()
    live = clf.live
    load_s = time.perf_counter() - t0
    texts = make_texts(n, length)
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

    # Rounds interleave the four runs so that load from other processes hits them alike; best of each.
    runs = [("raw ahocorasick-rs, one call per text", raw_each, texts),
            ("raw ahocorasick-rs, texts joined", raw_joined, texts),
            (f"rules scan, batches of {batch}, all normalisations", rules_batch, texts),
            ("rules classify(), one item at a time", rules_classify, sub)]
    best = [(float("inf"), float("inf"))] * len(runs)
    for _ in range(repeat):
        for i, (_, fn, _) in enumerate(runs):
            cpu, wall = _timed(fn)
            best[i] = (min(best[i][0], cpu), min(best[i][1], wall))
    results = [_rate(label, best[i][0], best[i][1], ts, sum(len(t.encode("utf-8")) for t in ts))
               for i, (label, _, ts) in enumerate(runs)]
    hits = sum(bool(h) for lo in range(0, len(texts), batch) for h in clf.scan(texts[lo:lo + batch]))
    return {"texts": n, "length": length, "terms": len(terms), "patterns": len(live.rules.patterns),
            "load_seconds": load_s, "texts_with_hits": hits, "results": results, "version": clf.version,
            "repeat": repeat}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Rule-stage throughput against raw ahocorasick-rs")
    ap.add_argument("--short", action="store_true", help="5,000 texts, one pass (for tests)")
    ap.add_argument("--texts", type=int, default=None)
    ap.add_argument("--length", type=int, default=100)
    args = ap.parse_args(argv)
    n = args.texts or (5_000 if args.short else 50_000)
    res = run(n, args.length, repeat=1 if args.short else 5)
    print(f"rule set {res['version']}: {res['terms']} keyword terms, {res['patterns']} automaton patterns, "
          f"compiled in {res['load_seconds']:.2f} s")
    print(f"{res['texts']} texts of {res['length']} characters, {res['texts_with_hits']} with a hit; one core, "
          f"per CPU-second of this process (wall-clock rate in brackets), best of {res['repeat']}")
    for r in res["results"]:
        print(f"  {r['label']:<52}{r['texts_per_s']:>12,.0f} texts/s{r['mb_per_s']:>9.1f} MB/s"
              f"   ({r['wall_texts_per_s']:,.0f} texts/s wall)")
    best_raw = max(res["results"][0]["mb_per_s"], res["results"][1]["mb_per_s"])
    ours = res["results"][2]["mb_per_s"]
    print(f"  rules / best raw: {ours / best_raw:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
