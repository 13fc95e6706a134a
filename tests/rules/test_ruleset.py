"""Rule files compile when they load; errors name file and line; a bad reload keeps the last good set."""

from pathlib import Path

import pytest

from modpipe.domain import Category
from modpipe.errors import RuleError
from rules.classifier import OrgTerm, RuleClassifier
from rules.ruleset import parse

GOOD = """# test rules
@set severity=block match=substring source=test
坏东西
@set severity=review
可疑东西
长词\tseverity=block id=custom.id
@regex id=t.num severity=review source=test trigger=号码 pattern=号码[0-9]{6}
@near id=t.near severity=block source=test window=4 a=出售 b=坏货
@allow 不是坏东西
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_parse_all_directives():
    rs = parse(GOOD, "x/other_illegal.rules", Category.OTHER_ILLEGAL)
    kws = {k.term: k for k in rs.keywords}
    assert kws["坏东西"].severity == "block" and kws["可疑东西"].severity == "review"
    assert kws["长词"].rule_id == "custom.id" and kws["长词"].severity == "block"
    assert kws["可疑东西"].where.line == 5
    assert rs.regexes[0].triggers == ("号码",) and rs.nears[0].window == 4
    assert rs.allows[0].phrase == "不是坏东西"


@pytest.mark.parametrize("text,line,message", [
    ("ok\n@set severity=maybe\n", 2, "severity 'maybe' is not block or review"),
    ("@regex id=x pattern=([a\n", 1, "bad regular expression"),
    ("\n\n@near id=x a=甲\n", 3, "@near needs b="),
    ("@frobnicate\n", 1, "unknown directive @frobnicate"),
    ("好\n@set colour=red\n", 2, "unknown option 'colour'"),
    ("x\ty\n", 1, "expected key=value, got 'y'"),
    ("@context window=999 words=a\n", 1, "window '999' must be a number of characters"),
])
def test_errors_name_file_and_line(tmp_path, text, line, message):
    d = write(tmp_path, "malware.rules", text)
    with pytest.raises(RuleError) as err:
        RuleClassifier([d]).live
    assert err.value.line == line
    assert err.value.path.endswith("malware.rules")
    assert message in str(err.value)
    assert str(err.value).startswith(f"{err.value.path}:{line}: ")


def test_unknown_category_file(tmp_path):
    d = write(tmp_path, "weather.rules", "晴天\n")
    with pytest.raises(RuleError, match="weather.rules:1: file name: 'weather' is not a category slug"):
        RuleClassifier([d]).live


def test_keyword_that_collapses_to_one_character_is_an_error(tmp_path):
    d = write(tmp_path, "ethnic_hatred.rules", "@set severity=review\n绿绿\n")
    with pytest.raises(RuleError, match=r"ethnic_hatred.rules:2: keyword '绿绿' normalises to the single character"):
        RuleClassifier([d]).live


def test_reload_keeps_last_good_set_and_returns_error(tmp_path):
    d = write(tmp_path, "other_illegal.rules", GOOD)
    rc = RuleClassifier([d])
    v1 = rc.version
    assert rc.scan(["这是坏东西"])[0][0].rule_id == "other_illegal/坏东西"
    (d / "other_illegal.rules").write_text(GOOD + "@regex id=broken pattern=(\n", encoding="utf-8")
    err = rc.reload()
    assert isinstance(err, RuleError) and err.line == 10
    assert rc.version == v1
    assert rc.scan(["这是坏东西"])[0][0].rule_id == "other_illegal/坏东西"
    (d / "other_illegal.rules").write_text(GOOD.replace("坏东西\n", "新坏词\n", 1), encoding="utf-8")
    assert rc.reload() is None
    assert rc.version != v1
    assert [h.rule_id for h in rc.scan(["新坏词"])[0]] == ["other_illegal/新坏词"]


def test_version_is_stable_for_same_files(tmp_path):
    d = write(tmp_path, "other_illegal.rules", GOOD)
    assert RuleClassifier([d]).version == RuleClassifier([d]).version


def test_org_term_validates_action():
    from modpipe.errors import InvalidInput

    with pytest.raises(InvalidInput, match="action 'ban'"):
        OrgTerm("x", "ban")
