"""RuleClassifier follows the classifier contract: its own examples, evidence in original offsets, fields."""

from classifiers.base import Classifier, Content
from modpipe.domain import Category, Decision, Kind
from rules.classifier import SCORES


def test_is_a_classifier(default_rules):
    assert isinstance(default_rules, Classifier)
    assert default_rules.name == "rules"
    assert set(default_rules.categories) == set(Category)


def test_every_example_holds(default_rules):
    examples = default_rules.examples()
    assert len(examples) >= 17
    covered = {e.category for e in examples if e.expect is not Decision.PASS}
    assert covered == set(Category), set(Category) - covered
    for ex in examples:
        results = {r.category: r for r in default_rules.classify(ex.content)}
        r = results.get(ex.category)
        if ex.expect is Decision.PASS:
            assert r is None, (ex.content.text, r)
        else:
            assert r is not None and r.floor.rank >= ex.expect.rank, (ex.content.text, r)


def test_evidence_spans_fields_and_scores(default_rules):
    content = Content(kind=Kind.IMAGE, texts={"ocr": "廣告：網絡賭博", "qr:0": "ok", "filename": "法轮功.png"})
    results = {r.category: r for r in default_rules.classify(content)}
    gamble = results[Category.PORN_GAMBLING_VIOLENCE]
    assert gamble.score == SCORES["block"] == 0.99 and gamble.floor is Decision.BLOCK
    ev = next(e for e in gamble.evidence if e.rule_id == "porn_gambling_violence/网络赌博")
    assert ev.source == "rule" and ev.field == "ocr" and ev.severity == "block"
    assert content.texts["ocr"][ev.span[0]:ev.span[1]] == "網絡賭博"
    cult = results[Category.RELIGION_CULT_SUPERSTITION]
    assert any(e.field == "filename" for e in cult.evidence)


def test_review_hit_scores_and_floor(default_rules):
    results = default_rules.classify(Content(kind=Kind.TEXT, text="你就是个傻逼"))
    assert [(r.category, r.score, r.floor) for r in results] == \
        [(Category.INSULT_DEFAMATION_PRIVACY, SCORES["review"], Decision.REVIEW)]
    assert results[0].to_dict()["evidence"][0]["span"] == [4, 6]


def test_clean_and_empty_content(default_rules):
    assert default_rules.classify(Content(kind=Kind.TEXT, text="今天天气很好")) == []
    assert default_rules.classify(Content(kind=Kind.FILE)) == []
