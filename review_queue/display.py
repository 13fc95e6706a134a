"""What a moderator sees of an item: evidence highlighted, personal data masked.

:func:`mask_for` is the one place that decides masking. Moderators (and senior
moderators) see ID numbers, mobiles and the like masked (clause 7: they do not
need them to judge); compliance and platform admins, who file regulator reports,
see them in full (:data:`UNMASK_ROLES`). What counts as personal data is
:func:`classifiers.pii.find_pii`'s answer (ID numbers with their check digit, mobiles,
bank cards that pass Luhn, e-mail), the same detector that flags ``pii`` in the pipeline.
Masking keeps the text's length, so the evidence spans computed on the original still line up.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.pii import mask
from modpipe.accounts import Principal, Role

UNMASK_ROLES = frozenset({Role.COMPLIANCE, Role.ADMIN})


def may_unmask(p: Principal | None) -> bool:
    return p is not None and p.role in UNMASK_ROLES


def mask_for(p: Principal | None, text: str | None) -> str:
    """``text`` as ``p`` may see it: personal data masked unless the role may unmask; same length."""
    if not text or may_unmask(p):
        return text or ""
    return mask(text, same_length=True)


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
