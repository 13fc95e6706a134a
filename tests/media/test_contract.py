"""Every media classifier's own examples hold (the style guide's SignalTypeAutoTest)."""

import pytest

from classifiers.base import Classifier
from classifiers.media import PdqIndex, build_media_classifiers
from modpipe.domain import Decision

CLASSIFIERS = build_media_classifiers(PdqIndex())


def test_names_are_unique_and_the_protocol_is_met():
    assert len({c.name for c in CLASSIFIERS}) == len(CLASSIFIERS)
    for c in CLASSIFIERS:
        assert isinstance(c, Classifier)
        assert c.examples()


@pytest.mark.parametrize("clf", CLASSIFIERS, ids=[c.name for c in CLASSIFIERS])
def test_examples(clf):
    for ex in clf.examples():
        results = clf.classify(ex.content)
        assert all(r.category in clf.categories for r in results)
        mine = [r for r in results if r.category == ex.category]
        floor = max((r.floor for r in mine), key=lambda d: d.rank, default=Decision.PASS)
        if ex.expect == Decision.PASS:
            assert floor == Decision.PASS and all(r.score < 0.5 for r in mine), (ex, results)
        else:
            assert floor.rank >= ex.expect.rank, (ex, results)
            assert all(r.evidence for r in mine)
