"""What a moderator sees of an item: evidence highlighted, personal data masked.

:func:`mask_for` is the one place that decides masking. Moderators (and senior
moderators) see ID numbers, mobiles and the like masked (clause 7: they do not
need them to judge); compliance and platform admins, who file regulator reports,
see them in full (:data:`UNMASK_ROLES`). Masking keeps the text's length, so the
evidence spans computed on the original still line up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modpipe.accounts import Principal, Role

UNMASK_ROLES = frozenset({Role.COMPLIANCE, Role.ADMIN})

# Until classifiers.pii lands: mainland mobiles, 18-digit resident ID numbers, bank cards, e-mail.
_PII = re.compile(
    r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx]|\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]|\d{16,19})(?!\d)"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"
)


def pii_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every piece of personal data in ``text``."""
    return [m.span() for m in _PII.finditer(text or "")]


def _mask_span(piece: str) -> str:
    keep = 3 if len(piece) >= 11 else 1
    tail = 4 if len(piece) >= 11 else 0
    return piece[:keep] + "*" * (len(piece) - keep - tail) + (piece[-tail:] if tail else "")


def may_unmask(p: Principal | None) -> bool:
    return p is not None and p.role in UNMASK_ROLES


def mask_for(p: Principal | None, text: str | None) -> str:
    """``text`` as ``p`` may see it: personal data masked unless the role may unmask; same length."""
    if not text or may_unmask(p):
        return text or ""
    out = list(text)
    for s, e in pii_spans(text):
        out[s:e] = list(_mask_span(text[s:e]))
    return "".join(out)


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[str, ...] = ()  # "category: detail" of every evidence span covering this piece


def highlighted(p: Principal | None, text: str, categories: list[dict]) -> list[Segment]:
    """Cut the (masked) text at evidence span boundaries, each piece knowing which evidence covers it."""
    shown = mask_for(p, text)
    spans = []
    for cat in categories or []:
        for ev in cat.get("evidence") or []:
            span = ev.get("span")
            if ev.get("field") not in (None, "text") or not span or len(span) != 2:
                continue
            s, e = max(0, int(span[0])), min(len(shown), int(span[1]))
            if s < e:
                spans.append((s, e, f"{cat.get('category')}: {ev.get('detail') or ev.get('source')}"))
    cuts = sorted({0, len(shown), *[b for s, e, _ in spans for b in (s, e)]})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        marks = tuple(label for s, e, label in spans if s <= a and b <= e)
        out.append(Segment(shown[a:b], marks))
    return out


def ocr_boxes(categories: list[dict]) -> list[dict]:
    """Every image box in the evidence, for drawing over the image."""
    boxes = []
    for cat in categories or []:
        for ev in cat.get("evidence") or []:
            box = ev.get("box")
            if box and len(box) == 4:
                boxes.append({"box": [float(v) for v in box], "category": cat.get("category"),
                              "detail": ev.get("detail") or ev.get("source")})
    return boxes
