"""How the trained heads speak for the 17 categories, and which rows speak for which category.

One table, read by training (calibration, thresholds), serving (category scores) and
evaluation, so the three can never disagree. A category score is the largest of the
head outputs listed for it, each calibrated on its own head's calib rows.
"""

from __future__ import annotations

from .data import HARM_CLASSES, Row

# category slug -> head outputs ("head" for a binary head, "head:class" for a harm class)
CATEGORY_SOURCES: dict[str, tuple[str, ...]] = {
    "insult_defamation_privacy": ("offensive", "harm:abuse_provocation"),
    "public_morality": ("sexism",),
    "spam_ads_sexual": ("spam", "harm:illicit_ads", "harm:vulgar_sexual"),
    "porn_gambling_violence": ("harm:vulgar_sexual", "harm:gambling"),
    "other_illegal": ("harm:fraud",),
    "rumor_disorder": ("rumor",),
}
AIGC = "aigc_text"
AIGC_SOURCES = ("aigc",)

# harm6 class -> categories it is positive for
_HARM_POSITIVE = {
    "vulgar_sexual": {"porn_gambling_violence", "spam_ads_sexual"},
    "gambling": {"porn_gambling_violence"},
    "fraud": {"other_illegal"},
    "abuse_provocation": {"insult_defamation_privacy"},
    "illicit_ads": {"spam_ads_sexual"},
}
_HARM_COVERED = {"porn_gambling_violence", "spam_ads_sexual", "other_illegal", "insult_defamation_privacy"}

# which categories a data set's binary label is about (for per-data-set flag-F1)
DATASET_TARGETS: dict[str, tuple[str, ...]] = {
    "cold": ("insult_defamation_privacy",),
    "toxicn": ("insult_defamation_privacy", "public_morality"),
    "swsr": ("public_morality",),
    "sms_spam": ("spam_ads_sexual",),
    "harm6": ("porn_gambling_violence", "spam_ads_sexual", "other_illegal", "insult_defamation_privacy"),
    "ced": ("rumor_disorder",),
    "weibo16": ("rumor_disorder",),
    "checked": ("rumor_disorder",),
    "aigc_zh": (AIGC,),
    "everyday": tuple(CATEGORY_SOURCES),  # all innocent: every flag is a false positive
}

# a moderator's category -> the head (and harm class) its rows train
CATEGORY_TO_HEAD: dict[str, tuple[str, int]] = {
    "insult_defamation_privacy": ("offensive", 1),
    "public_morality": ("sexism", 1),
    "spam_ads_sexual": ("spam", 1),
    "porn_gambling_violence": ("harm", HARM_CLASSES.index("vulgar_sexual")),
    "other_illegal": ("harm", HARM_CLASSES.index("fraud")),
    "rumor_disorder": ("rumor", 1),
}


def coverage(row: Row) -> dict[str, int]:
    """category -> 0/1 for the categories this row's label speaks about (calibration rows)."""
    if row.dataset == "cold":
        return {"insult_defamation_privacy": row.label}
    if row.dataset == "swsr":
        return {"public_morality": row.label}
    if row.dataset == "sms_spam":
        return {"spam_ads_sexual": row.label}
    if row.dataset == "harm6":
        # A violating row is evidence for its own categories only: a gambling advert is not
        # evidence against spam_ads_sexual or other_illegal, and mixing up two kinds of
        # violation still flags the item. Non-violating rows are negatives for all four.
        name = HARM_CLASSES[row.klass]
        if name == "non_violating":
            return {c: 0 for c in _HARM_COVERED}
        return {c: 1 for c in _HARM_POSITIVE[name]}
    if row.dataset in ("ced", "weibo16", "checked"):
        return {"rumor_disorder": row.label}
    if row.dataset == "aigc_zh":
        return {AIGC: row.label}
    if row.dataset == "cross":  # another domain's negative: says "no" for what its head feeds
        return {c: 0 for c, srcs in CATEGORY_SOURCES.items() if any(s.split(":")[0] == row.head for s in srcs)}
    if row.dataset == "extra" and row.category in CATEGORY_SOURCES:
        return {row.category: row.label}
    return {}
