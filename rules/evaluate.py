"""False-positive and hit rates of the default rules on the *eval* half of the shared labelled sets.

    python -m rules.evaluate [--split eval] [--json]

The curation script tuned the lexicon rules on the other (curate) half, so
these figures are not measured on data the rules were fitted to. For clean
rows: the share with any block-severity hit (would be blocked) and with any
hit at all (would at least go to review). For flagged rows: the share with any
hit, and with a hit in one of the categories the row's label maps to.
"""

from __future__ import annotations

import argparse
import collections
import json
import time

from .classifier import RuleClassifier
from .datasets import rows


def evaluate(split: str = "eval", clf: RuleClassifier | None = None, batch: int = 2000) -> dict:
    clf = clf or RuleClassifier()
    data = rows(split)
    hits = []
    t0 = time.perf_counter()
    for lo in range(0, len(data), batch):
        hits += clf.scan([r.text for r in data[lo:lo + batch]])
    seconds = time.perf_counter() - t0
    clean = collections.defaultdict(lambda: [0, 0, 0])  # rows, any block, any hit
    flagged = collections.defaultdict(lambda: [0, 0, 0])  # rows, any hit, hit in an expected category
    top_block = collections.Counter()
    for r, hs in zip(data, hits):
        if r.clean:
            c = clean[r.dataset]
            c[0] += 1
            blocks = [h for h in hs if h.severity == "block"]
            c[1] += bool(blocks)
            c[2] += bool(hs)
            top_block.update(h.rule_id for h in blocks)
        else:
            f = flagged[f"{r.dataset}:{r.group}"]
            f[0] += 1
            f[1] += bool(hs)
            f[2] += any(h.category in r.expect for h in hs)
    tot = [sum(v[i] for v in clean.values()) for i in range(3)]
    return {
        "split": split, "rule_set_version": clf.version, "seconds": round(seconds, 2), "rows": len(data),
        "clean": {k: {"rows": v[0], "blocked": round(v[1] / v[0], 4), "any_hit": round(v[2] / v[0], 4)}
                  for k, v in sorted(clean.items())},
        "clean_total": {"rows": tot[0], "blocked": round(tot[1] / max(tot[0], 1), 4),
                        "any_hit": round(tot[2] / max(tot[0], 1), 4)},
        "flagged": {k: {"rows": v[0], "any_hit": round(v[1] / v[0], 4), "expected_category": round(v[2] / v[0], 4)}
                    for k, v in sorted(flagged.items())},
        "top_block_rules_on_clean": top_block.most_common(15),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="FP and hit rates of the default rules on the shared labelled sets")
    ap.add_argument("--split", default="eval", choices=["eval", "curate"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = evaluate(args.split)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    print(f"rule set {res['rule_set_version']}, {args.split} half, {res['rows']} rows scanned in {res['seconds']} s")
    print(f"{'clean rows':<34}{'rows':>7}{'blocked':>9}{'any hit':>9}")
    for k, v in res["clean"].items():
        print(f"  {k:<32}{v['rows']:>7}{v['blocked']:>9.2%}{v['any_hit']:>9.2%}")
    t = res["clean_total"]
    print(f"  {'all clean':<32}{t['rows']:>7}{t['blocked']:>9.2%}{t['any_hit']:>9.2%}")
    print(f"{'flagged rows':<34}{'rows':>7}{'any hit':>9}{'in cat':>9}")
    for k, v in res["flagged"].items():
        print(f"  {k:<32}{v['rows']:>7}{v['any_hit']:>9.2%}{v['expected_category']:>9.2%}")
    if res["top_block_rules_on_clean"]:
        print("block rules firing on clean rows:", ", ".join(f"{r} x{n}" for r, n in res["top_block_rules_on_clean"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
