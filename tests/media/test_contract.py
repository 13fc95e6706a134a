"""Every media classifier's own examples hold, run the way the pipeline runs
them: extract first (a no-op for examples that carry their signals), then the
classifier, judged with the default thresholds (review 0.5, block 0.9) and floors."""

import copy

import pytest

from classifiers.base import Classifier
from classifiers.media import PdqIndex, build_media_classifiers, extract
from modpipe.domain import Decision

CLASSIFIERS = build_media_classifiers(PdqIndex())


def _decision(r) -> Decision:
    by_score = Decision.BLOCK if r.score >= 0.9 else Decision.REVIEW if r.score >= 0.5 else Decision.PASS
    return by_score if by_score.rank >= r.floor.rank else r.floor


def test_names_are_unique_and_the_protocol_is_met():
    assert len({c.name for c in CLASSIFIERS}) == len(CLASSIFIERS)
    for c in CLASSIFIERS:
        assert isinstance(c, Classifier)
        assert any(e.expect != Decision.PASS for e in c.examples())
        assert any(e.expect == Decision.PASS for e in c.examples())


@pytest.mark.parametrize("clf", CLASSIFIERS, ids=[c.name for c in CLASSIFIERS])
def test_examples(clf):
    for ex in clf.examples():
        content = copy.deepcopy(ex.content)
        extract(content)
        results = clf.classify(content)
        assert all(r.category in clf.categories for r in results)
        mine = [r for r in results if r.category == ex.category]
        decision = max((_decision(r) for r in mine), key=lambda d: d.rank, default=Decision.PASS)
        if ex.expect == Decision.PASS:
            assert decision == Decision.PASS, (ex, results)
        else:
            assert decision.rank >= ex.expect.rank, (ex, results)
            assert all(r.evidence for r in mine)
