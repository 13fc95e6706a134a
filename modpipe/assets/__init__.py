"""Files shipped with the package (a CJK font for rendered notices and printable reports)."""

from pathlib import Path

HERE = Path(__file__).parent


def cjk_font_path() -> Path:
    return HERE / "fonts" / "DroidSansFallbackFull.ttf"
