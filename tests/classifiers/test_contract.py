"""One contract test over all 17 category classifiers and every example they ship,
against the shipped artifact in models/text."""

import pytest

from classifiers.base import Classifier, Content
from classifiers.categories import build_category_classifiers, load_thresholds
from modpipe.domain import Category, CategoryResult, Decision, Evidence, Kind

CLASSIFIERS = build_category_classifiers()
THRESHOLDS = load_thresholds()


def decide(result: CategoryResult) -> Decision:
    t = THRESHOLDS[result.category.value]
    by_score = (Decision.BLOCK if result.score >= t["block"] else
                Decision.REVIEW if result.score >= t["review"] else Decision.PASS)
    return max(by_score, result.floor, key=lambda d: d.rank)


def test_seventeen_classifiers_one_per_slug_with_unique_names():
    assert len(CLASSIFIERS) == 17
    assert [c.categories for c in CLASSIFIERS] == [(c,) for c in Category]
    assert len({c.name for c in CLASSIFIERS}) == 17
    assert all(isinstance(c, Classifier) for c in CLASSIFIERS)


def test_thresholds_cover_every_slug_and_aigc():
    assert set(THRESHOLDS) == {c.value for c in Category} | {"aigc_text"}
    assert all(0 <= t["review"] <= t["block"] <= 1.0 for t in THRESHOLDS.values())


@pytest.mark.parametrize("clf", CLASSIFIERS, ids=lambda c: c.name)
def test_every_example(clf):
    examples = clf.examples()
    assert any(e.expect == Decision.PASS for e in examples)
    assert any(e.expect != Decision.PASS for e in examples)
    for ex in examples:
        results = clf.classify(ex.content)
        assert all(r.category in clf.categories for r in results)
        got = max((decide(r) for r in results if r.category == ex.category), key=lambda d: d.rank,
                  default=Decision.PASS)
        if ex.expect == Decision.PASS:
            assert got == Decision.PASS, (clf.name, ex.content.texts, results)
        else:
            assert got.rank >= ex.expect.rank, (clf.name, ex.content.texts, results)
            assert any(r.evidence for r in results), "a flagged result must carry evidence"


def test_batch_equals_single_and_model_runs_once_per_text():
    texts = ["加微信领取优惠券，全场x折，回复td退订", "谢谢志愿者们周末的辛苦付出", "你个傻逼"]
    contents = [Content(kind=Kind.TEXT, text=t) for t in texts]
    batch = [clf.classify_batch(contents) for clf in CLASSIFIERS]
    single = [[clf.classify(Content(kind=Kind.TEXT, text=t)) for t in texts] for clf in CLASSIFIERS]
    for b, s in zip(batch, single):
        assert [r[0].score for r in b] == pytest.approx([r[0].score for r in s], abs=1e-5)
    assert all(isinstance(c.signals.get("pii"), list) for c in contents)


def test_rule_hits_combine_with_the_model_and_keep_their_floor():
    clf = next(c for c in CLASSIFIERS if c.categories == (Category.NATIONAL_SECURITY,))
    hit = CategoryResult(Category.NATIONAL_SECURITY, 0.2,
                         [Evidence(source="rule", detail="keyword", rule_id="r1", span=(0, 2))], Decision.BLOCK)
    other = CategoryResult(Category.MALWARE, 0.9, [Evidence(source="rule", detail="x")], Decision.BLOCK)
    content = Content(kind=Kind.TEXT, text="一段普通的文字", signals={"rules": [hit, other]})
    [res] = clf.classify(content)
    assert res.floor == Decision.BLOCK and res.evidence[0].rule_id == "r1"
    assert res.score >= THRESHOLDS["national_security"]["review"]  # rule-only evidence reaches review
    [clean] = clf.classify(Content(kind=Kind.TEXT, text="一段普通的文字"))
    assert clean.score == 0.0 and clean.floor == Decision.PASS


def test_an_id_number_is_privacy_evidence_and_masked():
    clf = next(c for c in CLASSIFIERS if c.categories == (Category.INSULT_DEFAMATION_PRIVACY,))
    content = Content(kind=Kind.TEXT, text="他的身份证号是11010519491231002X，大家去找他")
    [res] = clf.classify(content)
    pii = [e for e in res.evidence if e.source == "pii"]
    assert pii and "11010519491231002X" not in pii[0].detail and pii[0].span == (7, 25)
    assert decide(res).rank >= Decision.REVIEW.rank
    assert content.signals["pii"] == [{"field": "text", "kind": "id_number", "start": 7, "end": 25}]


def test_aigc_text_score_is_set_for_long_texts_only():
    long = Content(kind=Kind.TEXT, text="人工智能是计算机科学的一个分支，它试图理解智能的实质，" * 3)
    short = Content(kind=Kind.TEXT, text="你好")
    CLASSIFIERS[0].classify_batch([long, short])
    assert 0.0 <= long.signals["aigc_text_score"] <= 1.0
    assert short.signals["aigc_text_score"] is None


def test_ocr_text_is_scored_and_named_in_evidence():
    clf = next(c for c in CLASSIFIERS if c.categories == (Category.SPAM_ADS_SEXUAL,))
    content = Content(kind=Kind.IMAGE, texts={"ocr": "本店全场商品x折优惠，回复td退订，详询电话xxxxxxxxxxx"})
    [res] = clf.classify(content)
    assert decide(res).rank >= Decision.REVIEW.rank
    assert any(e.field == "ocr" for e in res.evidence)


def test_a_texts_scores_do_not_depend_on_the_texts_batched_with_it():
    """The same text must get the same verdict however a scan batches it (dynamic int8 took its
    activation scale over the whole batch and moved a text's logits by up to 0.04)."""
    from classifiers.text.model import TextModel

    model = TextModel.shared()
    assert model.precision in ("bf16", "fp32")
    text = "这个人说的话真的是太过分了，简直是胡说八道"
    mates = ["哈哈哈" * 20 + "😂" * 10, "澳门赌场" * 30, "谢谢"]
    alone = model._compute([text])[0]  # noqa: SLF001 - past the cache, which would hide a difference
    batched = model._compute([text, *mates])[0]  # noqa: SLF001
    assert alone == pytest.approx(batched, abs=1e-6)


def test_an_unknown_precision_is_refused_and_auto_picks_a_real_one():
    from classifiers.text.model import serving_precision

    with pytest.raises(ValueError, match="precision 'fp8'"):
        serving_precision("fp8")
    assert serving_precision("auto") in ("bf16", "fp32")
    assert serving_precision("int8") == "int8"
