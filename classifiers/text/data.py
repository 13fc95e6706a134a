"""The shared labelled data, read into one row type, with the deterministic train/calib/dev split.

Every number this package reports comes from the ``dev`` part; thresholds and the
blend/calibration are fitted on ``calib``; models learn from ``train`` only. The split
hashes a stable key (the text, or ``group_id`` for aigc_zh so a human answer and its AI
rewrite never straddle two parts) with a fixed salt, so it is the same on every machine
and independent of row order.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SALT = "modpipe-textmodel-split-v1"
EVERYDAY = Path(__file__).with_name("everyday_zh.txt")  # innocent texts the project wrote (CC0)
CALIB_SHARE = 0.10
DEV_SHARE = 0.15

# Harm6 class names (chineseharm_bench label_en) in head order.
HARM_CLASSES = ("non_violating", "vulgar_sexual", "gambling", "fraud", "abuse_provocation", "illicit_ads")

# head name -> number of outputs (binary heads have 1 logit; harm has 6)
HEADS: dict[str, int] = {
    "offensive": 1,
    "sexism": 1,
    "spam": 1,
    "harm": len(HARM_CLASSES),
    "rumor": 1,
    "aigc": 1,
}


@dataclass(frozen=True)
class Row:
    text: str
    dataset: str  # cold, swsr, sms_spam, harm6, ced, weibo16, checked, aigc_zh, toxicn, everyday, extra, cross
    head: str | None  # which head learns from it (None: evaluation only)
    label: int  # binary flag label (harm6: 1 = violating)
    klass: int = 0  # harm6 class index; equal to label for binary heads
    topic: str = ""  # cross rows: the data set the text came from
    key: str = ""  # split key (text, or group id)
    category: str | None = None  # moderator rows: the slug the decision was about


def datasets_dir() -> Path:
    """Where the shared data lives: $MODPIPE_DATASETS, else ../shared/datasets beside the repo."""
    env = os.environ.get("MODPIPE_DATASETS")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parents[2]
    candidates += [here.parent / "shared" / "datasets", here.parent.parent / "shared" / "datasets",
                   Path("/work/shared/datasets")]
    for c in candidates:
        if (c / "cold" / "cold.csv").is_file():
            return c
    raise FileNotFoundError(
        f"shared datasets not found in {', '.join(map(str, candidates))}; set MODPIPE_DATASETS"
    )


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_rows(root: Path | None = None) -> list[Row]:
    """Every labelled row of the shared sets (toxicn rows have head=None: evaluation only)."""
    root = root or datasets_dir()
    rows: list[Row] = []
    for r in _read(root / "cold" / "cold.csv"):
        rows.append(Row(r["text"], "cold", "offensive", int(r["label"]), int(r["label"]), r["topic"], r["text"]))
    for r in _read(root / "swsr" / "swsr_comments.csv"):
        rows.append(Row(r["text"], "swsr", "sexism", int(r["label"]), int(r["label"]), "", r["text"]))
    for r in _read(root / "sms_spam" / "sms_spam_10k.csv"):
        rows.append(Row(r["text"], "sms_spam", "spam", int(r["label"]), int(r["label"]), "", r["text"]))
    for r in _read(root / "chineseharm_bench" / "chineseharm_bench.csv"):
        k = HARM_CLASSES.index(r["label_en"])
        rows.append(Row(r["text"], "harm6", "harm", int(k != 0), k, r["label_en"], r["text"]))
    for r in _read(root / "ced_rumor" / "ced_original_microblogs.csv"):
        y = int(r["label"] == "rumor")
        rows.append(Row(r["text"], "ced", "rumor", y, y, "", r["text"]))
    for r in _read(root / "weibo16_rumor" / "weibo16_source_posts.csv"):
        rows.append(Row(r["text"], "weibo16", "rumor", int(r["label"]), int(r["label"]), "", r["text"]))
    for r in _read(root / "checked" / "checked.csv"):
        y = int(r["label"] == "fake")
        rows.append(Row(r["text"], "checked", "rumor", y, y, "", r["text"]))
    for r in _read(root / "aigc_zh" / "aigc_zh.csv"):
        rows.append(Row(r["text"], "aigc_zh", "aigc", int(r["label"]), int(r["label"]), r["subset"],
                        "g:" + r["group_id"]))
    for r in _read(root / "toxicn" / "toxicn.csv"):
        rows.append(Row(r["text"], "toxicn", None, int(r["label"]), int(r["label"]), r["topic"], r["text"]))
    rows += [Row(t, "everyday", None, 0, 0, "", t) for t in everyday_texts()]
    return [r for r in rows if r.text.strip()]


def everyday_texts(path: Path = EVERYDAY) -> list[str]:
    """Short and long innocent posts of the kind the platform sees every day (greetings, thanks,
    charity notices); negatives for every head, they answer the length shortcut of harm6."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(x.strip() for x in lines if x.strip() and not x.startswith("#")))


# head -> the data sets whose negative rows are also negatives for it. A data set is left out
# where its "no" does not speak for the head (SWSR's non-sexist comments may still insult).
CROSS_SOURCES: dict[str, tuple[str, ...]] = {
    "offensive": ("sms_spam", "harm6", "ced", "weibo16", "checked", "everyday"),
    "sexism": ("cold", "sms_spam", "harm6", "ced", "weibo16", "checked", "everyday"),
    "spam": ("cold", "swsr", "harm6", "ced", "weibo16", "checked", "everyday"),
    "harm": ("cold", "swsr", "sms_spam", "ced", "weibo16", "checked", "everyday"),
    "rumor": ("cold", "swsr", "sms_spam", "harm6", "everyday"),
}


def cross_negatives(rows: list[Row], per_head: int) -> list[Row]:
    """Each data set is one domain, and a head trained on one learns its domain's shortcuts
    (harm6's innocent texts are long and templated, so to its head anything short is harmful).
    The negative rows of the other data sets, and every everyday text, are negatives for the
    head as well: up to ``per_head`` of them per head, a deterministic sample (by split key)
    balanced across source data sets, everyday texts always in. Call it per split part, so a
    text never crosses from dev into training."""
    out = []
    positive = {r.text for r in rows if r.label}  # a few texts carry both labels somewhere: not negatives
    for head, sources in CROSS_SOURCES.items():
        pools = {d: [] for d in sources}
        for r in rows:
            if r.dataset in pools and r.label == 0 and r.text not in positive:
                pools[r.dataset].append(r)
        chosen = pools.pop("everyday", [])
        share = max(0, per_head - len(chosen)) // max(1, len(pools))
        for d, pool in pools.items():
            pool.sort(key=lambda r: hashlib.blake2b(f"{SALT}|cross|{head}|{r.key}".encode(), digest_size=8).digest())
            chosen += pool[:share]
        out += [Row(r.text, "cross", head, 0, 0, r.dataset, r.key) for r in chosen]
    return out


def part_of(row: Row) -> str:
    """``train``, ``calib`` or ``dev`` for a row, from a salted hash of its split key."""
    h = int.from_bytes(hashlib.blake2b(f"{SALT}|{row.dataset}|{row.key}".encode(), digest_size=8).digest(), "big")
    u = h / 2**64
    if u < DEV_SHARE:
        return "dev"
    if u < DEV_SHARE + CALIB_SHARE:
        return "calib"
    return "train"


def split(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {"train": [], "calib": [], "dev": []}
    for r in rows:
        out[part_of(r)].append(r)
    return out
