"""The shared labelled sets and the project's everyday texts, read as (text, clean?, expected
categories), and the curation/evaluation split.

The curation script tunes the default lexicon rules on the ``curate`` half of
every set; ``rules.evaluate`` reports only on the ``eval`` half. The split is
a hash of the text, so it is the same on every machine and in every run.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from modpipe.domain import Category

C = Category


@dataclass(frozen=True)
class Row:
    dataset: str
    group: str  # the dataset's own label, e.g. "博彩" or "1"
    text: str
    clean: bool
    expect: tuple[Category, ...]  # categories a hit on a flagged row should fall in


def datasets_dir() -> Path:
    """``MODPIPE_DATASETS`` or the ``shared/datasets`` folder beside the checkout."""
    env = os.environ.get("MODPIPE_DATASETS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for cand in (here.parent / "shared" / "datasets", here.parent.parent / "shared" / "datasets",
                 Path("/work/shared/datasets")):
        if cand.is_dir():
            return cand
    return Path("/work/shared/datasets")


def split_of(text: str) -> str:
    return "curate" if hashlib.sha1(text.encode("utf-8")).digest()[0] < 128 else "eval"


INSULT = (C.INSULT_DEFAMATION_PRIVACY, C.ETHNIC_HATRED, C.PUBLIC_MORALITY)
# (file, clean label values, expected categories per flagged label or for all flagged rows)
SETS = {
    "cold": ("cold/cold.csv", {"0"}, {None: INSULT}),
    "toxicn": ("toxicn/toxicn.csv", {"0"}, {None: INSULT}),
    "swsr": ("swsr/swsr_comments.csv", {"0"}, {None: INSULT + (C.SPAM_ADS_SEXUAL,)}),
    "chineseharm_bench": ("chineseharm_bench/chineseharm_bench.csv", {"不违规"}, {
        "低俗色情": (C.PORN_GAMBLING_VIOLENCE, C.SPAM_ADS_SEXUAL),
        "博彩": (C.PORN_GAMBLING_VIOLENCE,),
        "欺诈": (C.OTHER_ILLEGAL, C.SPAM_ADS_SEXUAL, C.ILLEGAL_CONTENT),
        "谩骂引战": INSULT,
        "黑产广告": (C.SPAM_ADS_SEXUAL, C.OTHER_ILLEGAL, C.ILLEGAL_CONTENT),
    }),
    "sms_spam": ("sms_spam/sms_spam_10k.csv", {"0"}, {None: (C.SPAM_ADS_SEXUAL,)}),
    "ced_rumor": ("ced_rumor/ced_original_microblogs.csv", {"non-rumor"}, {None: (C.RUMOR_DISORDER,)}),
    "weibo16_rumor": ("weibo16_rumor/weibo16_source_posts.csv", {"0"}, {None: (C.RUMOR_DISORDER,)}),
    "checked": ("checked/checked.csv", {"real"}, {None: (C.RUMOR_DISORDER,)}),
    "aigc_zh": ("aigc_zh/aigc_zh.csv", {"0", "1"}, {}),
}


def rows(split: str | None = None, root: Path | None = None) -> list[Row]:
    """Every labelled row (``split`` = "curate" or "eval" keeps one half)."""
    root = root or datasets_dir()
    out: list[Row] = []
    for name, (rel, clean_labels, expect) in SETS.items():
        path = root / rel
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                text, label = r["text"] or "", str(r["label"])
                if split and split_of(text) != split:
                    continue
                clean = label in clean_labels
                cats = () if clean else expect.get(label, expect.get(None, ()))
                out.append(Row(name, label, text, clean, cats))
    # The project's own everyday texts (greetings, charity notices, project reports: the platform's
    # own kind of traffic), all innocent: a lexicon term that fires on them is an ordinary word here.
    from classifiers.text.data import everyday_texts

    for text in everyday_texts():
        if not split or split_of(text) == split:
            out.append(Row("everyday", "0", text, True, ()))
    return out
