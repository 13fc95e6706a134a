"""The enabled classifiers: one list, built once per process, names checked at start.

Nothing registers itself by being imported; adding a classifier means adding
it here. Duplicate names fail loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def build_registry() -> Registry:
    """The production registry. Models load lazily, on first use, once per process."""
    return Registry(rules=None, classifiers=[])
