"""Explicit labels: the notice a person sees, and spotting one in text.

Wording per label (1 AI-generated, 2 possibly, 3 suspected) for text and images.
On images the notice goes in the bottom-right corner on a dark box with a light
rim, so it reads on light and dark pictures alike, and its glyphs are at least
5% of the short side tall (GB 45438-2025). The font is a subset of WenQuanYi
Micro Hei (Apache-2.0) shipped in ``fonts/``; without it the notice falls back
to ASCII ("AI-generated") in Pillow's own font with a warning, never silently
to whatever system font happens to be installed.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

FONT_PATH = Path(__file__).parent / "fonts" / "wqy-microhei-subset.ttf"
MIN_HEIGHT_FRACTION = 0.05

IMAGE_NOTICE = {"1": "AI生成", "2": "可能为AI生成", "3": "疑似AI生成"}
IMAGE_NOTICE_ASCII = {"1": "AI-generated", "2": "Possibly AI-generated", "3": "Suspected AI-generated"}
TEXT_NOTICE = {
    "1": "【AI生成】本内容由人工智能生成合成。",
    "2": "【可能为AI生成】发布者声明本内容可能由人工智能生成合成。",
    "3": "【疑似AI生成】平台检测到本内容疑似由人工智能生成合成。",
}

# "AI"/"人工智能"/"AIGC" next to "生成"/"合成", or the English forms.
_NOTICE_RE = re.compile(
    r"(?:(疑似|可能(?:为|是)?)\s*)?(?:由\s*)?(?:AI|Ａ\s*Ｉ|人工智能|AIGC)\s*(?:技术\s*|辅助\s*)?(?:生成|合成)"
    r"|(?:(suspected|possibly)\s+)?AI[- ]?(?:generated|synthesi[sz]ed|created)",
    re.I,
)


@lru_cache(maxsize=1)
def _font_ok() -> bool:
    try:
        ImageFont.truetype(str(FONT_PATH), 20)
        return True
    except OSError:
        log.warning("AIGC notice font %s is missing; image notices fall back to ASCII 'AI-generated'",
                    FONT_PATH)
        return False


def _font(size: int) -> ImageFont.FreeTypeFont:
    if _font_ok():
        return ImageFont.truetype(str(FONT_PATH), size)
    return ImageFont.load_default(size=size)


def image_notice(label: str) -> str:
    return (IMAGE_NOTICE if _font_ok() else IMAGE_NOTICE_ASCII)[label]


def fit_font(text: str, min_height: float) -> tuple[ImageFont.FreeTypeFont, tuple[int, int, int, int]]:
    """The smallest font whose rendering of ``text`` is at least ``min_height`` px tall."""
    size = max(8, int(math.ceil(min_height * 1.1)))
    for _ in range(64):
        font = _font(size)
        bbox = font.getbbox(text)
        if bbox[3] - bbox[1] >= min_height:
            return font, bbox
        size = max(size + 1, int(size * min_height / max(bbox[3] - bbox[1], 1)))
    return font, bbox


def draw_notice(im: Image.Image, label: str) -> tuple[Image.Image, tuple[int, int, int, int], int]:
    """A copy of ``im`` with the notice in the bottom-right corner.

    Returns the image, the notice box ``(x0, y0, x1, y1)`` and the text height in px.
    """
    text = image_notice(label)
    w, h = im.size
    min_h = MIN_HEIGHT_FRACTION * min(w, h)
    font, bbox = fit_font(text, max(min_h, 10))
    tw, th = bbox[2] - bbox[0], bbox[3] - bbox[1]
    pad = max(2, int(round(th * 0.3)))
    margin = max(2, int(round(min(w, h) * 0.015)))
    x1, y1 = w - margin, h - margin
    x0, y0 = max(0, x1 - tw - 2 * pad), max(0, y1 - th - 2 * pad)
    mode = im.mode
    base = im.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    rim = max(1, int(round(th * 0.06)))
    d.rectangle((x0, y0, x1, y1), fill=(20, 20, 20, 200), outline=(255, 255, 255, 230), width=rim)
    d.text((x0 + pad - bbox[0], y0 + pad - bbox[1]), text, font=font, fill=(255, 255, 255, 255))
    out = Image.alpha_composite(base, overlay)
    out = out if mode == "RGBA" else out.convert("RGB")
    return out, (x0, y0, x1, y1), th


def find_notice(text: str) -> str | None:
    """The label a visible notice in ``text`` states ("1"/"2"/"3"), or None."""
    if not text:
        return None
    m = _NOTICE_RE.search(text)
    if not m:
        return None
    qualifier = (m.group(1) or m.group(2) or "").lower()
    if qualifier in ("疑似", "suspected"):
        return "3"
    if qualifier.startswith("可能") or qualifier == "possibly":
        return "2"
    return "1"


def add_text_notice(text: str, label: str, body_start: int = 0) -> str:
    """``text`` with the notice at the start of its body (after any front matter)."""
    head, body = text[:body_start], text[body_start:]
    return f"{head}{TEXT_NOTICE[label]}\n\n{body}" if body else f"{head}{TEXT_NOTICE[label]}"


def text_has_notice(text: str, window: int = 200) -> bool:
    """Whether a notice sits at the start or end of ``text`` (where the rules put it)."""
    t = (text or "").strip()
    return find_notice(t[:window]) is not None or find_notice(t[-window:]) is not None
