"""Article 6 of the labelling rules, as a decision over what was found.

Sources, strongest label wins (1 AI-generated > 2 possibly > 3 suspected):
- implicit metadata (any carrier, C2PA included): its own Label;
- the platform's invisible mark: the label the platform applied before (GB
  45438 counts a watermark as an implicit label, and it is ours);
- the user's declaration without metadata: 2 (Art. 6(2));
- traces the platform finds itself (a visible notice, the text detector): 3 (Art. 6(3)).
The text detector never does more than that: it cannot block anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modpipe.domain import Flag

STRENGTH = {"1": 0, "2": 1, "3": 2}


def strongest(labels: list[str]) -> str | None:
    valid = [lb for lb in labels if lb in STRENGTH]
    return min(valid, key=STRENGTH.__getitem__) if valid else None


@dataclass
class AigcFinding:
    label: str | None = None
    found_in: list[str] = field(default_factory=list)
    metadata: dict[str, str] | None = None
    errors: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # Labels gone from content the platform marked: "implicit" and/or "explicit".
    missing: list[str] = field(default_factory=list)
    watermark: dict[str, Any] | None = None
    c2pa: dict[str, Any] | None = None
    text_score: float | None = None
    notice: str | None = None  # the visible notice seen, as the label it states

    def add(self, where: str) -> None:
        if where not in self.found_in:
            self.found_in.append(where)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "found_in": list(self.found_in),
            "metadata": self.metadata,
            "errors": list(self.errors),
            "flags": [f.value for f in self.flags],
            "missing": list(self.missing),
        }
        if self.watermark is not None:
            out["watermark"] = self.watermark
        if self.text_score is not None:
            out["text_score"] = round(float(self.text_score), 4)
        return out
