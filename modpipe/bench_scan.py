"""``modpipe bench scan``: texts/s of ``modpipe scan --jsonl``, rules and model on, as a user runs it.

It starts the real command in a child process with a file of JSON lines of distinct
dev-split texts (cut to 200 characters) on its stdin and a file on its stdout. Two
figures: steady state (from the first answered batch to the last answer, so model loading
and the interpreter's exit are left out) and end to end (from the start of the process to its
exit, both included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHORT = 1000  # the short run's texts: several batches after the first, so "steady" means something


def bench_texts(n: int, max_chars: int = 200) -> list[str]:
    """``n`` distinct texts of at most ``max_chars`` from the text model's dev split."""
    from classifiers.text.bench import _texts

    return [t[:max_chars] for t in _texts(n)]


def run(n: int, jobs: int = 1) -> dict:
    texts = bench_texts(n)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="modpipe-bench-scan-") as tmp:
        env["MODPIPE_DATA_DIR"] = str(Path(tmp) / "data")
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                               for i, t in enumerate(texts)), encoding="utf-8")
        # stdin and stdout are files, so this process spends nothing on the pipe while it times;
        # it only watches the answer file grow, to see when the first answers came out
        with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "modpipe.cli", "scan", "--jsonl", "--jobs", str(jobs)], env=env,
                                    stdin=fin, stdout=fout, stderr=subprocess.PIPE, text=True)
            first = last = None
            size = 0
            while proc.poll() is None:
                grown = dst.stat().st_size
                if grown != size:
                    size, last = grown, time.perf_counter()
                    first = first or last
                time.sleep(0.01)
            end = time.perf_counter()
            if dst.stat().st_size != size:  # the last answers came out between two looks
                last = end
            first = first or end
            err = proc.stderr.read()
        rows = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    if proc.returncode != 0 or len(rows) != len(texts):
        raise RuntimeError(f"modpipe scan answered {len(rows)} of {len(texts)} lines, exit {proc.returncode}: {err[-2000:]}")
    decisions: dict = {}
    for r in rows:
        decisions[r["decision"]] = decisions.get(r["decision"], 0) + 1
    # the first flush holds the first batch; count the rest against the time from it to the last
    # answer (the interpreter's exit is start-up's mirror image: end to end counts it, steady not)
    from modpipe.scan import BATCH

    steady_n = len(rows) - min(BATCH, len(rows) - 1)  # with jobs > 1 the first flush may hold less: conservative
    return {"texts": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
            "steady_texts_per_s": round(steady_n / max(1e-9, last - first), 1),
            "end_to_end_texts_per_s": round(len(rows) / (end - t0), 1),
            "startup_s": round(first - t0, 2), "decisions": decisions, "cpus": os.cpu_count(), "jobs": jobs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="modpipe bench scan", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="texts to scan (default 5000)")
    ap.add_argument("--short", action="store_true", help=f"{SHORT} texts, one process (a smoke test)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="also run with this many scanning processes (default: the CPU count)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    runs = []
    for jobs in sorted({1} if args.short else {1, max(1, args.jobs)}):
        r = run(SHORT if args.short else args.n, jobs)
        runs.append(r)
        print(f"modpipe scan --jsonl --jobs {jobs}, rules + model + all 17 categories: "
              f"{r['steady_texts_per_s']:,.0f} texts/s steady ({r['end_to_end_texts_per_s']:,.0f} texts/s end to end "
              f"incl. {r['startup_s']:.1f} s start-up); {r['texts']} distinct texts, mean {r['mean_chars']} chars, "
              f"max 200; {r['cpus']} CPUs; decisions {r['decisions']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(runs if len(runs) > 1 else runs[0], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
