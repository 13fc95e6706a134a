"""Every malformed or hostile file ends in a clear rejection or a verdict; none crashes a worker."""

import pytest

from classifiers.base import Content
from classifiers.media import PdqIndex, build_media_classifiers, extract
from modpipe.domain import Decision
from modpipe.errors import RejectedInput
from tests.media.hostile import build_corpus

CORPUS = build_corpus()
CLASSIFIERS = build_media_classifiers(PdqIndex())


def test_the_corpus_is_big_enough_and_names_are_unique():
    assert len(CORPUS) >= 50
    assert len({c.name for c in CORPUS}) == len(CORPUS)
    assert {c.expect for c in CORPUS} == {"rejected", "block", "review", "pass"}


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_hostile_file(case):
    content = Content(kind=case.kind, data=case.data, filename=case.filename)
    before = bytes(case.data)
    try:
        extract(content)
    except RejectedInput as exc:
        assert case.expect == "rejected", f"rejected ({exc}) but expected {case.expect}"
        assert len(str(exc)) > 10
        return
    finally:
        assert content.data == before  # the original is evidence: never modified
    results = [r for clf in CLASSIFIERS for r in clf.classify(content)]
    for clf in CLASSIFIERS:
        for r in clf.classify(content):
            assert r.category in clf.categories
    floor = max((r.floor for r in results), key=lambda d: d.rank, default=Decision.PASS)
    assert floor.value == case.expect, [(r.category.value, r.floor.value, [e.detail for e in r.evidence]) for r in results]
    if floor != Decision.PASS:
        assert all(r.evidence for r in results if r.floor == floor)
