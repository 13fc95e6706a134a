"""``python -m classifiers.text.evaluate``: per data set, on the dev split only.

For the shipped system (model path: blend + calibration + thresholds.json) it reports
flag-F1 ("flagged" = review or block on any of the data set's target categories),
auto-block precision and the shares sent to review and to block, beside:
  * the classic baseline: char 1-3-gram TF-IDF + logistic regression trained per data set
    on our train split, flagging at p >= 0.5 (ToxiCN may not be trained on: its baseline
    is the COLD one, and our system never saw ToxiCN either);
  * each half alone (linear only, transformer only), with its own decision layer fitted on
    calib the same way, which says what each half contributes;
  * "F1 any": flagged when ANY of the seven model categories reaches review, the honest
    figure for one system serving every category at once.
Rules and exemplars are not in these figures (the rules live in another package).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .calibration import DecisionLayer, category_scores, fit_decision_layer
from .data import load_rows, split
from .mapping import CATEGORY_SOURCES, DATASET_TARGETS
from .model import DEFAULT_DIR, TextModel
from .train import calib_rows_of

DATASETS = ("cold", "swsr", "sms_spam", "harm6", "ced", "weibo16", "checked", "aigc_zh", "toxicn", "everyday")
BASELINE_GOALS = {"cold": 0.88, "swsr": 0.73, "sms_spam": 0.90, "ced": 0.88, "harm6": 0.99}


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    return 2 * tp / max(1.0, float(y.sum() + pred.sum()))


def _reached(scores: dict[str, np.ndarray], thr: dict, cats: tuple[str, ...], idx: np.ndarray,
             level: str = "review") -> np.ndarray:
    """Per row of ``idx``: does any of ``cats`` reach its ``level`` threshold?"""
    out = np.zeros(len(idx), dtype=bool)
    for c in cats:
        out |= scores[c][idx] >= thr[c][level]
    return out


def _flag_metrics(scores: dict[str, np.ndarray], thr: dict, targets: tuple[str, ...], y: np.ndarray,
                  idx: np.ndarray, any_cats: tuple[str, ...]) -> dict:
    flagged = _reached(scores, thr, targets, idx)
    blocked = _reached(scores, thr, targets, idx, "block")
    any_flag = _reached(scores, thr, any_cats, idx)
    return {**_figures(y, flagged, blocked), "f1_any": round(_f1(y, any_flag | flagged), 4)}


def wilson_interval(hits: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """95% Wilson score interval of a proportion ``hits / n`` (None for n = 0): whether a block
    precision measured on a few dozen blocks can be told from the 0.97 goal."""
    if n == 0:
        return None
    p, z2 = hits / n, z * z
    centre, half = (p + z2 / (2 * n)) / (1 + z2 / n), z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return round(float(centre - half), 4), round(float(min(1.0, centre + half)), 4)


def _figures(y: np.ndarray, flagged: np.ndarray, blocked: np.ndarray) -> dict:
    """Flag-F1, auto-block precision (with its 95% interval) and the shares sent to review and to block."""
    nb, good = int(blocked.sum()), int((y & blocked).sum())
    return {
        "f1": round(_f1(y, flagged), 4),
        "block_precision": round(good / nb, 4) if nb else None,
        "block_precision_95": wilson_interval(good, nb),
        "blocked": nb,
        "review_share": round(float((flagged & ~blocked).mean()), 4),
        "block_share": round(float(blocked.mean()), 4),
        "recall": round(float((y & flagged).sum()) / max(1, int(y.sum())), 4),
    }


def baseline_model(parts: dict, dataset: str) -> Callable[[list[str]], np.ndarray] | None:
    """The classic per-data-set model (see module doc), fitted on the set's train rows (ToxiCN:
    COLD's): texts -> flags. None where the set has no train rows of both labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    src = "cold" if dataset == "toxicn" else dataset
    tr = [r for r in parts["train"] if r.dataset == src]
    if len({r.label for r in tr}) < 2:
        return None
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    lr = LogisticRegression(max_iter=1000).fit(vec.fit_transform([r.text for r in tr]), [r.label for r in tr])
    return lambda texts: lr.predict(vec.transform(texts)).astype(bool)


def baseline(parts: dict, dataset: str, only: list | None = None,
             model: Callable[[list[str]], np.ndarray] | None = None) -> tuple[float, float | None, np.ndarray | None]:
    """The baseline's flag-F1 on the data set's dev rows (or ``only``), the share of the everyday
    dev texts (all innocent) it flags, and its flags per row (``model``: an already fitted
    ``baseline_model``). The second figure shows what a per-set model learned besides the label:
    harm6's baseline flags every everyday text, because harm6's innocent rows are long and its
    harmful ones short."""
    model = model or baseline_model(parts, dataset)
    dv = only if only is not None else [r for r in parts["dev"] if r.dataset == dataset]
    if model is None or not dv:
        return float("nan"), None, None
    pred = model([r.text for r in dv])
    everyday = [r.text for r in parts["dev"] if r.dataset == "everyday"]
    share = round(float(model(everyday).mean()), 4) if everyday else None
    return round(_f1(np.array([r.label for r in dv], dtype=bool), pred), 4), share, pred


def f1_gap_interval(y: np.ndarray, ours: np.ndarray, theirs: np.ndarray, n: int = 2000,
                    seed: int = 0) -> tuple[float, float]:
    """95% paired-bootstrap interval of flag-F1(ours) - flag-F1(theirs) on the same rows: which
    gaps to a baseline the dev split can tell from sampling noise."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n, len(y)))
    yy, a, b = y[idx], ours[idx], theirs[idx]

    def f1(pred: np.ndarray) -> np.ndarray:
        return 2 * (yy & pred).sum(axis=1) / np.maximum(1, yy.sum(axis=1) + pred.sum(axis=1))

    lo, hi = np.percentile(f1(a) - f1(b), [2.5, 97.5])
    return round(float(lo), 4), round(float(hi), 4)


def evaluate(model_dir: Path = DEFAULT_DIR, parts: dict | None = None) -> dict:
    from ..categories import load_thresholds, readable

    parts = parts or split(load_rows())
    tm = TextModel(model_dir)
    calib = calib_rows_of(parts)
    dev = [r for r in parts["dev"] if r.dataset in DATASETS]
    net_c, lin_c = tm.raw_logits([r.text for r in calib])
    net_d, lin_d = tm.raw_logits([r.text for r in dev])
    heads = list(lin_c)
    layers = {
        "system": DecisionLayer(tm.weights, tm.calib, load_thresholds(model_dir)),
        "linear_only": fit_decision_layer(net_c, lin_c, calib, weights={h: 0.0 for h in heads}),
        "transformer_only": fit_decision_layer(net_c, lin_c, calib, weights={h: 1.0 for h in heads}),
    }
    ds = np.array([r.dataset for r in dev])
    y_all = np.array([r.label for r in dev], dtype=bool)
    report: dict = {"datasets": {}, "blend": tm.weights, "precision": tm.precision, "n_dev": len(dev),
                    "n_calib": len(calib)}
    scores = {name: category_scores(net_d, lin_d, layer) for name, layer in layers.items()}
    unread = np.array([not readable(r.text) for r in dev])  # the product never asks the model about these
    for per_cat in scores.values():
        for arr in per_cat.values():
            arr[unread] = 0.0
    everyday = np.nonzero(ds == "everyday")[0]
    baselines = {d: baseline_model(parts, d) for d in DATASETS if d != "everyday"}
    for d in DATASETS:
        idx = np.nonzero(ds == d)[0]
        if not len(idx):
            continue
        y = y_all[idx]
        base_f1, base_everyday, base_pred = baseline(parts, d, model=baselines[d]) if y.any() else (None, None, None)
        entry = {"n": int(len(idx)), "positives": int(y.sum()), "targets": list(DATASET_TARGETS[d]),
                 "baseline_f1": base_f1, "baseline_goal": BASELINE_GOALS.get(d),
                 "baseline_everyday_flagged": base_everyday}
        if base_pred is not None:
            ours = _reached(scores["system"], layers["system"].thresholds, DATASET_TARGETS[d], idx)
            entry["gap_to_baseline_95"] = f1_gap_interval(y, ours, base_pred)
        any_cats = tuple(CATEGORY_SOURCES) if d != "aigc_zh" else ()
        for name, layer in layers.items():
            thr = dict(layer.thresholds)
            entry[name] = _flag_metrics(scores[name], thr, DATASET_TARGETS[d], y, idx, any_cats)
            if len(everyday):  # the same targets on the innocent everyday texts
                entry[name]["everyday_flagged"] = round(float(_reached(scores[name], thr, DATASET_TARGETS[d],
                                                                       everyday).mean()), 4)
        report["datasets"][d] = entry
    main = [d for d in BASELINE_GOALS if d in report["datasets"]]
    report["mean_f1_main"] = {
        k: round(float(np.mean([report["datasets"][d][k]["f1"] if k != "baseline_f1"
                                else report["datasets"][d][k] for d in main])), 4)
        for k in ("system", "linear_only", "transformer_only", "baseline_f1")
    } if main else {}
    report["system_eval"] = evaluate_system(model_dir, parts, baselines)
    return report


SYSTEM_SETS = ("cold", "swsr", "sms_spam", "harm6", "ced", "weibo16", "checked", "toxicn", "everyday")


def evaluate_system(model_dir: Path, parts: dict, baselines: dict | None = None) -> dict:
    """The deployed system as a user meets it: the workers' pipeline (rules, this model, the 17
    category classifiers, PII, the policy) on rows held out from both the model (our dev split)
    and the rule curation (the rules' ``eval`` half). Flagged = any decision other than pass,
    whatever the category: one system serving every category at once. ``baselines``: the
    per-set baseline models already fitted (``baseline_model``), else they are fitted here."""
    from classifiers.base import Content
    from modpipe.domain import Kind
    from modpipe.pipeline import build_pipeline
    from rules.datasets import split_of

    rows = [r for r in parts["dev"] if r.dataset in SYSTEM_SETS and split_of(r.text) == "eval"]
    pipeline = build_pipeline(model_dir=Path(model_dir))
    decisions: list[str] = []
    for lo in range(0, len(rows), 256):
        decisions += [v.decision.value for v in pipeline.scan_batch(
            [Content(kind=Kind.TEXT, text=r.text) for r in rows[lo:lo + 256]])]
    out = {}
    for d in SYSTEM_SETS:
        idx = [i for i, r in enumerate(rows) if r.dataset == d]
        if not idx:
            continue
        y = np.array([rows[i].label for i in idx], dtype=bool)
        dec = np.array([decisions[i] for i in idx])
        out[d] = {"n": len(idx), "positives": int(y.sum()), **_figures(y, dec != "pass", dec == "block"),
                  "baseline_f1": baseline(parts, d, only=[rows[i] for i in idx],
                                          model=(baselines or {}).get(d))[0] if y.any() else None}
    return out


def _block_precision(figures: dict) -> str:
    """"0.949 (79; 0.878-0.980)": precision, blocks, 95% interval."""
    if figures["block_precision"] is None:
        return "-"
    ci = figures.get("block_precision_95")
    span = f'; {ci[0]:.3f}-{ci[1]:.3f}' if ci else ""
    return f'{figures["block_precision"]:.3f} ({figures["blocked"]}{span})'


def format_system_table(system: dict) -> str:
    lines = ["| data set | n | baseline F1 (same rows) | system F1 | block prec. (blocks; 95% interval) | review share | block share |",
             "|---|---|---|---|---|---|---|"]
    for d, e in system.items():
        base = "-" if e["baseline_f1"] is None else f'{e["baseline_f1"]:.3f}'
        f1 = f'**{e["f1"]:.3f}**' if e["positives"] else "-"
        bp = _block_precision(e)
        name = d if e["positives"] else f"{d} (all innocent)"
        lines.append(f'| {name} | {e["n"]} | {base} | {f1} | {bp} | {e["review_share"]:.3f} | {e["block_share"]:.3f} |')
    return "\n".join(lines)


def _everyday(entry: dict) -> str:
    base, ours = entry.get("baseline_everyday_flagged"), entry["system"].get("everyday_flagged")
    if base is None or ours is None:
        return "-"
    return f"{base:.3f} / {ours:.3f}"


def _gap(entry: dict) -> str:
    if "gap_to_baseline_95" not in entry:
        return "-"
    lo, hi = entry["gap_to_baseline_95"]
    return f'{entry["system"]["f1"] - entry["baseline_f1"]:+.3f} [{lo:+.3f}, {hi:+.3f}]'


def format_table(report: dict) -> str:
    lines = ["| data set | n | baseline F1 | system F1 | F1 any | block prec. (blocks; 95% interval) | review share | block share "
             "| linear-only F1 | transformer-only F1 | everyday flagged: baseline / system | system - baseline, 95% interval |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d, e in report["datasets"].items():
        s = e["system"]
        if not e["positives"]:  # an all-innocent set: only the shares flagged mean something
            lines.append(f'| {d} (all innocent) | {e["n"]} | - | - | - | - | {s["review_share"]:.3f} | {s["block_share"]:.3f} '
                         f'| - | - | - | - |')
            continue
        bp = _block_precision(s)
        lines.append(f'| {d} | {e["n"]} | {e["baseline_f1"]:.3f} | **{s["f1"]:.3f}** | {s["f1_any"]:.3f} | {bp} '
                     f'| {s["review_share"]:.3f} | {s["block_share"]:.3f} | {e["linear_only"]["f1"]:.3f} '
                     f'| {e["transformer_only"]["f1"]:.3f} | {_everyday(e)} | {_gap(e)} |')
    m = report.get("mean_f1_main") or {}
    if m:
        lines.append(f'| mean of cold, swsr, sms_spam, ced, harm6 | | {m["baseline_f1"]:.3f} | **{m["system"]:.3f}** '
                     f'| | | | | {m["linear_only"]:.3f} | {m["transformer_only"]:.3f} | | |')
    return "\n".join(lines)


def write_report(model_dir: Path, report: dict) -> None:
    from .card import write_card

    (Path(model_dir) / "metrics.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    write_card(Path(model_dir), report)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m classifiers.text.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--write", action="store_true", help="also write metrics.json and MODEL_CARD.md")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    report = evaluate(args.model_dir)
    print(format_table(report))
    print()
    print(format_system_table(report["system_eval"]))
    if args.write:
        write_report(args.model_dir, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
