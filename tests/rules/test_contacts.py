"""Phones, WeChat/QQ ids, URLs and domains with offsets; domain lists per category."""

from pathlib import Path

from modpipe.domain import Category
from rules.contacts import domains_batch, extract
from rules.domains import DomainLists


def kinds(text):
    return [(c.kind, c.value, text[c.start:c.end]) for c in extract(text)]


def test_phone_forms():
    text = "电话：138-0013-8000，或 １３９００１３９０００，或 一三七零零一三七零零零"
    got = [(v, s) for k, v, s in kinds(text) if k == "phone"]
    assert got == [("13800138000", "138-0013-8000"), ("13900139000", "１３９００１３９０００"),
                   ("13700137000", "一三七零零一三七零零零")]


def test_landline_and_not_random_numbers():
    assert [v for k, v, _ in kinds("座机 010-88886666") if k == "phone"] == ["01088886666"]
    assert [v for k, v, _ in kinds("订单号 2023123456789012") if k == "phone"] == []


def test_wechat_and_qq_ids():
    text = "加微信：abc_12345 或 vx: Hello2024，QQ号 123456789，扣扣 ９８７６５"
    got = kinds(text)
    assert ("wechat", "abc_12345", "abc_12345") in got
    assert ("wechat", "hello2024", "Hello2024") in got
    assert ("qq", "123456789", "123456789") in got
    assert ("qq", "98765", "９８７６５") in got


def test_urls_and_domains():
    text = "访问 https://bad.example.com/path?x=1 或 www.evil.cn，邮件 a@mail.com"
    got = kinds(text)
    assert ("url", "https://bad.example.com/path?x=1", "https://bad.example.com/path?x=1") in got
    assert ("domain", "bad.example.com", "bad.example.com") in got
    assert ("domain", "www.evil.cn", "www.evil.cn") in got
    assert not any(k == "domain" and v == "mail.com" for k, v, _ in got)


def test_domains_batch_offsets_per_text():
    texts = ["没有", "看 abc.com 吧", "x.cn"]
    got = domains_batch(texts)
    assert [(k, texts[k][c.start:c.end]) for k, c in got] == [(1, "abc.com"), (2, "x.cn")]


def test_domain_lists_cover_subdomains(tmp_path: Path):
    (tmp_path / "gambling.txt").write_text("# test\nbet-example.com\n", encoding="utf-8")
    lists = DomainLists.load(tmp_path)
    assert lists.lookup("www.bet-example.com") == ("gambling", "bet-example.com")
    assert lists.lookup("a.b.bet-example.com") == ("gambling", "bet-example.com")
    assert lists.lookup("example.com") is None


def test_shipped_domain_lists_route_to_categories(default_rules):
    lists = default_rules.live.domains
    by_list = {}
    for d, name in lists.entries.items():
        by_list.setdefault(name, d)
    assert {"ads", "gambling", "porn", "malware"} <= set(by_list)
    for name, d in by_list.items():
        hits = default_rules.scan([f"快来 {d} 看看"])[0]
        dom = [h for h in hits if h.kind == "domain"]
        want = {"gambling": Category.PORN_GAMBLING_VIOLENCE, "porn": Category.PORN_GAMBLING_VIOLENCE,
                "ads": Category.SPAM_ADS_SEXUAL, "malware": Category.MALWARE}[name]
        assert dom and dom[0].category == want and dom[0].matched == d
    assert not [h for h in default_rules.scan(["请访问 www.baidu.com 和 weibo.com"])[0] if h.kind == "domain"]
