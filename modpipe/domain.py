"""The words every package speaks: categories, flags, decisions, evidence, verdicts.

The 17 category slugs come from clause 5.2.2 of the platform's terms and are
fixed by the interface contract; nothing else may invent a category.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Category(str, enum.Enum):
    """Clause 5.2.2 (1)-(17), in the clause's order."""

    ILLEGAL_CONTENT = "illegal_content"
    NATIONAL_SECURITY = "national_security"
    NATIONAL_HONOR = "national_honor"
    HEROES_MARTYRS = "heroes_martyrs"
    TERRORISM_EXTREMISM = "terrorism_extremism"
    ETHNIC_HATRED = "ethnic_hatred"
    RELIGION_CULT_SUPERSTITION = "religion_cult_superstition"
    RUMOR_DISORDER = "rumor_disorder"
    PORN_GAMBLING_VIOLENCE = "porn_gambling_violence"
    INSULT_DEFAMATION_PRIVACY = "insult_defamation_privacy"
    ILLEGAL_ASSEMBLY = "illegal_assembly"
    ILLEGAL_ORGANIZATION = "illegal_organization"
    SEVEN_BOTTOM_LINES = "seven_bottom_lines"
    SPAM_ADS_SEXUAL = "spam_ads_sexual"
    MALWARE = "malware"
    PUBLIC_MORALITY = "public_morality"
    OTHER_ILLEGAL = "other_illegal"

    @property
    def clause(self) -> str:
        return f"5.2.2({list(Category).index(self) + 1})"

    @classmethod
    def parse(cls, value: str) -> "Category":
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a category slug; use one of: {', '.join(c.value for c in cls)}"
            ) from None


class Flag(str, enum.Enum):
    """Findings that sit beside the categories."""

    AIGC_UNLABELED = "aigc_unlabeled"
    AIGC_LABEL_TAMPERED = "aigc_label_tampered"
    FABRICATED = "fabricated"
    PII = "pii"


class Decision(str, enum.Enum):
    PASS = "pass"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return {"pass": 0, "review": 1, "block": 2}[self.value]


class Kind(str, enum.Enum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    FILE = "file"


class ItemStatus(str, enum.Enum):
    QUEUED = "queued"
    PROCESSING = "processing"
    DECIDED = "decided"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Evidence:
    """One thing a moderator can look at to see why a score is what it is.

    ``source`` names the producer (``rule``, ``model``, ``ocr``, ``nsfw``, ``hash``,
    ``yara``, ...). ``span`` is a ``(start, end)`` pair of offsets into the original
    text (or into ``field`` when the text came from OCR or a QR code); ``box`` is an
    image region ``[x0, y0, x1, y1]``; ``time`` a video timestamp in seconds.
    """

    source: str
    detail: str
    span: tuple[int, int] | None = None
    field: str | None = None
    box: tuple[float, float, float, float] | None = None
    time: float | None = None
    rule_id: str | None = None
    severity: str | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if v is not None}


@dataclass
class CategoryResult:
    """One category's calibrated score in [0, 1] with the evidence behind it.

    ``floor`` lets a signal force at least a given decision regardless of the
    score thresholds: a ``block``-severity rule hit or a known-bad hash sets
    ``floor=Decision.BLOCK``; an uncertain keyword sets ``Decision.REVIEW``.
    """

    category: Category
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    floor: Decision = Decision.PASS

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score!r} for {self.category.value} is outside [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "score": round(float(self.score), 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def merge_results(results: list[CategoryResult]) -> list[CategoryResult]:
    """Fold several results for the same category into one: max score, all evidence (each piece
    once: a category classifier passes on the rule hits that the rule stage also reports),
    strongest floor."""
    merged: dict[Category, CategoryResult] = {}
    for r in results:
        cur = merged.get(r.category)
        if cur is None:
            merged[r.category] = CategoryResult(r.category, r.score, list(dict.fromkeys(r.evidence)), r.floor)
        else:
            cur.score = max(cur.score, r.score)
            cur.evidence.extend(e for e in r.evidence if e not in cur.evidence)
            if r.floor.rank > cur.floor.rank:
                cur.floor = r.floor
    return [merged[c] for c in Category if c in merged]
