"""Contact details and links in a text: phones, WeChat and QQ ids, URLs, domains.

Ads and scams hide a way to reach them in the text. Digits are folded first
(fullwidth, circled, Chinese numerals: 一三八 -> 138) one character for one, so
offsets stay those of the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {}
for _i, _chars in enumerate(("0０⓪〇零洞", "1１①⑴⒈❶➀一壹幺", "2２②⑵⒉❷➁二贰两", "3３③⑶⒊❸➂三叁", "4４④⑷⒋❹➃四肆",
                             "5５⑤⑸⒌❺➄五伍", "6６⑥⑹⒍❻➅六陆", "7７⑦⑺⒎❼➆七柒拐", "8８⑧⑻⒏❽➇八捌", "9９⑨⑼⒐❾➈九玖勾")):
    for _c in _chars:
        _DIGITS[ord(_c)] = str(_i)
_FOLD = dict(_DIGITS)
for _cp in range(0xFF01, 0xFF5F):  # fullwidth ASCII
    _FOLD.setdefault(_cp, chr(_cp - 0xFEE0))
_FOLD[0x3000] = " "

_SEP = r"[\s\-.·_]?"
PHONE = re.compile(rf"(?<![0-9])(?:\+?86{_SEP})?1[3-9](?:{_SEP}[0-9]){{9}}(?![0-9])|(?<![0-9])0[1-9][0-9]{{1,2}}-[1-9][0-9]{{6,7}}(?![0-9])")
WECHAT = re.compile(
    r"(?:微信|薇信|威信|徽信|v信|vx|wx|weixin|wechat|(?<![a-z0-9])v)号?\s*[:：]?\s*(?P<id>[a-z][-_a-z0-9]{5,19})(?![-_a-z0-9])", re.I)
QQ = re.compile(r"(?:qq|扣扣|企鹅|(?<![a-z0-9])q)(?:号|群)?\s*[:：]?\s*(?P<id>[1-9][0-9]{4,10})(?![0-9])", re.I)
URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'，。！？、）》]+|www\.[^\s<>\"'，。！？、）》]+", re.I)
TLDS = ("com|cn|net|org|info|cc|tk|top|xyz|vip|me|io|co|tv|biz|in|ru|hk|tw|us|uk|jp|kr|de|club|site|online|app|"
        "shop|link|win|bet|ws|la|pw|ml|ga|cf|gq|asia|mobi|pro|live|fun|icu|cyou|work|today|life")
DOMAIN = re.compile(rf"(?<![-a-z0-9.@])((?:[a-z0-9](?:[-a-z0-9]{{0,61}}[a-z0-9])?\.)+(?:{TLDS}))(?![-a-z0-9])", re.I)


@dataclass(frozen=True)
class Contact:
    kind: str  # phone | wechat | qq | url | domain
    value: str
    start: int
    end: int


def fold_digits(text: str) -> str:
    """One character for one: digit forms to ASCII digits, fullwidth to ASCII."""
    return text.translate(_FOLD)


def extract(text: str) -> list[Contact]:
    """Every phone, WeChat id, QQ id, URL and domain in ``text``, with offsets into it."""
    folded = fold_digits(text)
    out: list[Contact] = []
    for m in PHONE.finditer(folded):
        out.append(Contact("phone", re.sub(r"[^0-9+]", "", m.group()), m.start(), m.end()))
    for m in WECHAT.finditer(folded):
        out.append(Contact("wechat", m.group("id").lower(), m.start("id"), m.end("id")))
    for m in QQ.finditer(folded):
        out.append(Contact("qq", m.group("id"), m.start("id"), m.end("id")))
    for m in URL.finditer(folded):
        out.append(Contact("url", m.group(), m.start(), m.end()))
    for m in DOMAIN.finditer(folded):
        out.append(Contact("domain", m.group(1).lower(), m.start(1), m.end(1)))
    out.sort(key=lambda c: (c.start, c.kind))
    return out


def domains(text: str) -> list[Contact]:
    """Only the domains (also those inside URLs); the classifier's cheap path."""
    if "." not in text and "．" not in text:
        return []
    folded = fold_digits(text)
    return [Contact("domain", m.group(1).lower(), m.start(1), m.end(1)) for m in DOMAIN.finditer(folded)]


_TLD_AT = re.compile(rf"\.(?:{TLDS})(?![-a-z0-9])", re.I)
_LABELS_BEFORE = re.compile(r"(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+$", re.I)


def domains_batch(texts: list[str]) -> list[tuple[int, Contact]]:
    """(text index, domain) for a batch. Anchored on the top-level domain, so a batch with few
    dots costs one quick pass; fullwidth spellings are left to ``extract``."""
    import bisect

    joined = "\n".join(texts)
    if "." not in joined:
        return []
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    out, last_end = [], -1
    for m in _TLD_AT.finditer(joined):
        lo = max(0, m.start() - 253)
        head = _LABELS_BEFORE.search(joined, lo, m.start() + 1)
        if head is None or head.start() <= last_end:
            continue
        s, e = head.start(), m.end()
        if s > 0 and (joined[s - 1] in "-.@" or joined[s - 1].isascii() and joined[s - 1].isalnum()):
            continue
        last_end = e
        k = bisect.bisect_right(starts, s) - 1
        out.append((k, Contact("domain", joined[s:e].lower(), s - starts[k], e - starts[k])))
    return out
