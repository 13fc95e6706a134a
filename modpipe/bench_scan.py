"""``modpipe bench scan``: texts/s of ``modpipe scan --jsonl``, rules and model on, as a user runs it.

It starts the real command in a child process, streams JSON lines of distinct dev-split
texts (cut to 200 characters) into it and times the answers as they come back. Two
figures: steady state (from the first answered batch to the last answer, so model
loading is left out) and end to end (from the start of the process, loading included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def bench_texts(n: int, max_chars: int = 200) -> list[str]:
    """``n`` distinct texts of at most ``max_chars`` from the text model's dev split."""
    from classifiers.text.bench import _texts

    return [t[:max_chars] for t in _texts(n)]


def run(n: int) -> dict:
    texts = bench_texts(n)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="modpipe-bench-scan-") as data:
        env["MODPIPE_DATA_DIR"] = data
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "modpipe.cli", "scan", "--jsonl"], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8")

        def feed() -> None:
            for i, t in enumerate(texts):
                proc.stdin.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
            proc.stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        first = None
        answered, decisions = 0, {}
        for line in proc.stdout:
            row = json.loads(line)
            answered += 1
            if first is None:
                first = (time.perf_counter(), answered)
            decisions[row["decision"]] = decisions.get(row["decision"], 0) + 1
        end = time.perf_counter()
        err = proc.stderr.read()
        if proc.wait() != 0 or answered != len(texts):
            raise RuntimeError(f"modpipe scan answered {answered} of {len(texts)} lines, exit {proc.returncode}: {err[-2000:]}")
    steady_n = answered - first[1]
    return {"texts": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
            "steady_texts_per_s": round(steady_n / max(1e-9, end - first[0]), 1),
            "end_to_end_texts_per_s": round(answered / (end - t0), 1),
            "startup_s": round(first[0] - t0, 2), "decisions": decisions, "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="modpipe bench scan", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="texts to scan (default 5000)")
    ap.add_argument("--short", action="store_true", help="300 texts (a smoke test)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    r = run(300 if args.short else args.n)
    print(f"modpipe scan --jsonl, rules + model + all 17 categories: {r['steady_texts_per_s']:,.0f} texts/s steady "
          f"({r['end_to_end_texts_per_s']:,.0f} texts/s end to end incl. {r['startup_s']:.1f} s start-up); "
          f"{r['texts']} distinct texts, mean {r['mean_chars']} chars, max 200; {r['cpus']} CPUs; "
          f"decisions {r['decisions']}")
    if args.json:
        args.json.write_text(json.dumps(r, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
