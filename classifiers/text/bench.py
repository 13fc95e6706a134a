"""``modpipe bench text``: texts/s through the text model and the 17 category classifiers.

Texts are dev-split rows cut to at most 200 characters (distinct, so the per-text cache
never helps). Two figures: the model alone (``TextModel.scores``, both halves, calibrated)
and the whole category path (``classify_batch`` of all 17 classifiers on Content batches,
as the pipeline calls it, without the rules stage, which is another package).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from modpipe.domain import Kind

from .model import DEFAULT_DIR, PRECISIONS, TextModel


def _texts(n: int) -> list[str]:
    from .data import load_rows, split

    dev = split(load_rows())["dev"]
    seen, out = set(), []
    i = 0
    while len(out) < n and dev:
        t = dev[i % len(dev)].text[:200]
        if i >= len(dev):
            t = f"{i}:{t}"[:200]
        if t not in seen:
            seen.add(t)
            out.append(t)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="modpipe bench text", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--short", action="store_true", help="300 texts (a smoke test)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--precision", choices=PRECISIONS, default=None,
                    help="the transformer's arithmetic (default: the artifact's; see model.serving_precision)")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from ..base import Content
    from ..categories import TextEvidence, CategoryClassifier
    from modpipe.domain import Category

    n = 300 if args.short else args.n
    texts = _texts(2 * n)
    a, b = texts[:n], texts[n:]
    mean_len = sum(map(len, a)) / max(1, len(a))

    ev = TextEvidence(args.model_dir)
    if args.precision:
        ev._model = TextModel(args.model_dir, precision=args.precision)  # noqa: SLF001 - a bench-only variant
    model = ev.model
    model.scores(["预热"])  # load and warm up
    t = time.perf_counter()
    for s in range(0, len(a), args.batch):
        model.scores(a[s : s + args.batch])
    model_rate = len(a) / (time.perf_counter() - t)

    clfs = [CategoryClassifier(c, ev) for c in Category]
    t = time.perf_counter()
    for s in range(0, len(b), args.batch):
        contents = [Content(kind=Kind.TEXT, text=x) for x in b[s : s + args.batch]]
        for c in clfs:
            c.classify_batch(contents)
    path_rate = len(b) / (time.perf_counter() - t)
    print(f"text model: {model_rate:.0f} texts/s; 17 category classifiers: {path_rate:.0f} texts/s "
          f"({len(a)} texts, mean {mean_len:.0f} chars, max 200, batch {args.batch}, "
          f"{torch.get_num_threads()} threads, {model.precision})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
