"""Turn per-category scores and flags into ``pass`` / ``review`` / ``block``.

Each category has a ``review`` and a ``block`` threshold chosen on the dev split
(see ``models/text/MODEL_CARD.md``); a result's ``floor`` (a block-severity rule,
a known-bad hash) forces at least that decision whatever the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modpipe.domain import Category, CategoryResult, Decision, Flag

DEFAULT_REVIEW = 0.5
DEFAULT_BLOCK = 0.9

# Evidence sources that may auto-block on their own; model scores alone stop at review.
CORROBORATING = frozenset({"rule", "hash", "yara", "nsfw", "malware", "filetype", "magika", "archive", "exemplar"})

# Flags a person must look at even when no category fires (clause 5.2.5: stripping labels is forbidden).
REVIEW_FLAGS = frozenset({Flag.AIGC_LABEL_TAMPERED})


@dataclass(frozen=True)
class Thresholds:
    review: float = DEFAULT_REVIEW
    block: float = DEFAULT_BLOCK

    def __post_init__(self) -> None:
        # A block threshold above 1 is allowed and means "never block on the score alone".
        if not 0.0 <= self.review <= 1.0 or self.block < self.review:
            raise ValueError(f"thresholds need 0 <= review <= 1 and block >= review, got review={self.review} block={self.block}")

    def decide(self, score: float) -> Decision:
        if score >= self.block:
            return Decision.BLOCK
        if score >= self.review:
            return Decision.REVIEW
        return Decision.PASS


@dataclass(frozen=True)
class Policy:
    thresholds: dict[Category, Thresholds] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: dict[str, dict[str, float]]) -> "Policy":
        out: dict[Category, Thresholds] = {}
        for slug, t in raw.items():
            try:
                cat = Category(slug)
            except ValueError:
                continue  # side thresholds (e.g. "aigc_text") live in the same file
            out[cat] = Thresholds(review=float(t["review"]), block=float(t["block"]))
        return cls(out)

    def for_category(self, cat: Category) -> Thresholds:
        return self.thresholds.get(cat, Thresholds())

    def category_decision(self, r: CategoryResult) -> Decision:
        by_score = self.for_category(r.category).decide(r.score)
        if by_score is Decision.BLOCK and not CORROBORATING.intersection(e.source for e in r.evidence):
            # The text model alone never removes content: on short, ordinary posts it leans on the
            # length shortcut of its training data (see models/text/MODEL_CARD.md), so a model-only
            # block goes to a person instead. Rules, hash banks, YARA and NSFW detections corroborate.
            by_score = Decision.REVIEW
        return by_score if by_score.rank >= r.floor.rank else r.floor

    def decide(self, results: list[CategoryResult], flags: list[Flag]) -> tuple[Decision, str | None]:
        """The item's decision and what drove it (the evidence source of the deciding category)."""
        decision, source = Decision.PASS, None
        for r in results:
            d = self.category_decision(r)
            if d.rank > decision.rank:
                decision = d
                source = _source(r)
        if decision is Decision.PASS and REVIEW_FLAGS.intersection(flags):
            decision, source = Decision.REVIEW, "aigc"
        return decision, source


def _source(r: CategoryResult) -> str:
    sources = [e.source for e in r.evidence]
    for preferred in ("hash", "rule", "yara", "model", "nsfw"):
        if preferred in sources:
            return preferred
    return sources[0] if sources else "model"
