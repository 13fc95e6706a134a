"""Personal information (clause 7): find it, and mask it wherever staff see it.

Kinds: ``id_number`` (18-digit PRC resident ID, GB 11643 check digit and a plausible birth
date), ``mobile`` (mainland 1[3-9]x numbers, optional +86), ``bank_card`` (13-19 digits
that pass Luhn, spaces or dashes allowed between groups) and ``email``. Digits that are
part of a longer digit run are not matched, so an order number does not look like a phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

KINDS = ("id_number", "bank_card", "mobile", "email")

_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{4})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?![0-9])")
_CARD = re.compile(r"(?<![0-9])(\d{4}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?)(?![0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int
    value: str


def id_check_ok(number: str) -> bool:
    """GB 11643-1999 ISO 7064 MOD 11-2 check digit of an 18-character resident ID."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _birth_ok(y: str, m: str, d: str) -> bool:
    try:
        born = date(int(y), int(m), int(d))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def find_pii(text: str) -> list[PiiMatch]:
    """Every PII match in ``text``, in order of position, without overlaps."""
    found: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(kind: str, s: int, e: int) -> None:
        found.append(PiiMatch(kind, s, e, text[s:e]))
        taken.append((s, e))

    for m in _ID.finditer(text):
        if _birth_ok(m.group(2), m.group(3), m.group(4)) and id_check_ok(m.group(0)):
            add("id_number", m.start(), m.end())
    for m in _EMAIL.finditer(text):
        if free(m.start(), m.end()):
            add("email", m.start(), m.end())
    for m in _MOBILE.finditer(text):
        if free(m.start(), m.end()):
            add("mobile", m.start(), m.end())
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(1))
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and free(m.start(1), m.end(1)):
            add("bank_card", m.start(1), m.end(1))
    return sorted(found, key=lambda p: p.start)


def _mask_value(kind: str, value: str, same_length: bool = False) -> str:
    if kind == "email":
        local, _, domain = value.partition("@")
        return local[:1] + ("*" * (len(local) - 1) if same_length else "***") + "@" + domain
    keep_head = {"id_number": 6, "mobile": 3, "bank_card": 4}.get(kind, 0)
    chars = list(value)
    idx = [i for i, c in enumerate(chars) if c.isalnum()]
    body = idx[keep_head : len(idx) - 4] if len(idx) > keep_head + 4 else idx[keep_head:]
    for i in body:
        chars[i] = "*"
    return "".join(chars)


def mask(text: str, matches: list[PiiMatch] | None = None, *, same_length: bool = False) -> str:
    """``text`` with each PII value masked (keeps enough to recognise: head and last 4).

    ``same_length`` keeps every character's position (an e-mail's local part becomes as many
    ``*``), so spans computed on the original still line up with the masked text.
    """
    matches = find_pii(text) if matches is None else sorted(matches, key=lambda p: p.start)
    out, pos = [], 0
    for m in matches:
        if m.start < pos:
            continue
        out.append(text[pos : m.start])
        out.append(_mask_value(m.kind, text[m.start : m.end], same_length))
        pos = m.end
    out.append(text[pos:])
    return "".join(out)
