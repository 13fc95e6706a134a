"""The enabled classifiers: one list, built once per process, names checked at start.

Nothing registers itself by being imported; adding a classifier means adding
it here. Duplicate names fail loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from classifiers.base import Classifier


@dataclass
class Registry:
    """``rules`` runs first (its hits feed the category classifiers through
    ``content.signals["rules"]``); then every classifier in ``classifiers``."""

    rules: Classifier | None = None
    classifiers: list[Classifier] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for c in self.all():
            if not isinstance(c, Classifier):
                raise TypeError(f"{c!r} does not follow the Classifier contract (name, categories, classify, examples)")
            if c.name in seen:
                raise ValueError(f"two classifiers are named {c.name!r}; names must be unique in the registry")
            seen.add(c.name)

    def all(self) -> list[Classifier]:
        return ([self.rules] if self.rules else []) + list(self.classifiers)


def build_registry(hash_index=None, model_dir: Path | None = None) -> Registry:
    """The production registry: keyword rules, the 17 category classifiers (rules + text
    model + exemplars), and the media classifiers (NSFW, hash banks, malware).
    Models load lazily, on first use, once per process."""
    from classifiers.categories import build_category_classifiers
    from classifiers.media import PdqIndex, build_media_classifiers
    from rules.classifier import RuleClassifier

    return Registry(
        rules=RuleClassifier(),
        classifiers=[
            *build_category_classifiers(model_dir),
            *build_media_classifiers(hash_index if hash_index is not None else PdqIndex()),
        ],
    )
