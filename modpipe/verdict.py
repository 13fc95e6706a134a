"""A verdict: the decision on one item, every category's score and evidence, flags and AI labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modpipe.domain import CategoryResult, Decision, Flag

# Categories scoring below this, with no evidence, are noise and are not reported.
REPORT_MIN_SCORE = 0.05


@dataclass
class Verdict:
    decision: Decision | None
    categories: list[CategoryResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    aigc: dict[str, Any] = field(default_factory=lambda: {"label": None})
    source: str | None = None
    rules_version: str | None = None
    model_version: str | None = None
    error: str | None = None

    @classmethod
    def rejected(cls, reason: str) -> "Verdict":
        return cls(decision=None, error=reason)

    def reported_categories(self) -> list[CategoryResult]:
        keep = [r for r in self.categories if r.score >= REPORT_MIN_SCORE or r.evidence]
        return sorted(keep, key=lambda r: -r.score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value if self.decision else None,
            "categories": [r.to_dict() for r in self.reported_categories()],
            "flags": [f.value for f in self.flags],
            "aigc": self.aigc,
            "error": self.error,
        }
