"""QR codes and barcodes with zxing-cpp.

Decoded payloads become texts (``"qr:0"``...) so URLs in them go through the
same link and domain rules as typed text; the symbol's box is kept for evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Code:
    text: str
    format: str
    box: tuple[float, float, float, float]


def read_codes(rgb: np.ndarray, scale: float = 1.0, max_codes: int = 16) -> list[Code]:
    import cv2
    import zxingcpp

    if rgb.ndim != 3 or min(rgb.shape[:2]) < 16:
        return []
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    found: list[Code] = []
    for r in zxingcpp.read_barcodes(grey):
        if not r.valid or not r.text:
            continue
        p = r.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        box = (min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale)
        found.append(Code(r.text, r.format.name if hasattr(r.format, "name") else str(r.format), box))
        if len(found) >= max_codes:
            break
    return found
