"""Keyword rules: the first, fastest stage of moderation, built to see through evasion.

Public API (see rules/README.md):

- ``rules.RuleClassifier``: a ``classifiers.base.Classifier`` named "rules" over all 17 categories.
- ``rules.OrgTerm``: one organisation's own block / review / allow term.
- ``rules.contacts.extract(text)``: phones, WeChat and QQ ids, URLs and domains with offsets.
- ``rules.bench.main(argv)``: ``modpipe bench rules [--short]``.
- ``rules.evaluate.main(argv)``: false-positive and hit rates on the shared labelled sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .classifier import OrgTerm, RuleClassifier

__all__ = ["RuleClassifier", "OrgTerm"]


def __getattr__(name: str) -> Any:
    # Lazy, so ``import rules.contacts`` does not pull in numpy and the automaton library.
    if name in __all__:
        from . import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module 'rules' has no attribute {name!r}")
