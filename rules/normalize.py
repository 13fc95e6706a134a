"""Text normalisation that undoes common evasions while keeping offsets.

Every character-level step (traditional -> simplified, full/half width, case,
digit forms, homoglyphs, zero-width and inserted symbols) is folded into one
lookup table indexed by code point, so a whole batch of texts is normalised
with a few numpy operations instead of a Python loop per character. Each
character maps to at most one character (or is deleted), and repeated runs
collapse to one character; the positions of the kept characters are returned,
so a match in normalised text maps straight back to the original characters.

Steps that rewrite words rather than characters (pinyin, pinyin initials,
homophones, split characters) work on the *rule* side instead: the compiler
adds the variant spellings of each term to the automaton (see ``variants``).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field

import numpy as np

DELETE = 0xFFFF  # a non-character: marks a code point the table removes
SEP = "\x00"  # joins texts of a batch; never deleted, never inside a pattern
STEPS = ("t2s", "width", "case", "invisible", "symbols", "repeats", "digits", "homoglyphs")

# Look-alike letters from other scripts that NFKC leaves alone.
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "ɑ": "a", "ⅼ": "l", "〇": "0", "○": "0", "◯": "0", "Ο": "o", "О": "o",
}
# Symbols used for a whole word: ➕ for 加, 🌽 for 元 (seen in ChineseHarm-Bench).
SYMBOL_WORDS = {"➕": "加", "+": "加", "＋": "加", "🌽": "元", "💰": "钱", "🈲": "禁"}
# Digit forms NFKC does not fold to a single ASCII digit.
DIGITS = {}
for _base, _start in ((0x2776, 1), (0x2780, 1), (0x278A, 1), (0x2474, 1), (0x2488, 1), (0x2160, 1), (0x2170, 1)):
    for _i in range(9):
        DIGITS[chr(_base + _i)] = str(_start + _i)
DIGITS.update({"⓪": "0", "⓿": "0", "🄀": "0", "零": None})
DIGITS.pop("零")


def _is_invisible(cp: int) -> bool:
    ch = chr(cp)
    cat = unicodedata.category(ch)
    return cat in ("Cf", "Mn", "Me") or cp in (0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800) or 0xFE00 <= cp <= 0xFE0F


def _is_symbol(cp: int) -> bool:
    if cp in (0, 10):
        return False
    cat = unicodedata.category(chr(cp))
    return cat[0] in ("P", "S", "Z") or cat in ("Cc", "Co", "So") or cp >= 0x1F000


@dataclass(frozen=True)
class NormOptions:
    """Which steps run; each can be switched off on its own."""

    t2s: bool = True
    width: bool = True
    case: bool = True
    invisible: bool = True
    symbols: bool = True
    repeats: bool = True
    digits: bool = True
    homoglyphs: bool = True

    def key(self) -> str:
        return "".join("1" if getattr(self, s) else "0" for s in STEPS)


def _t2s_table() -> dict[int, int]:
    """Character-level traditional -> simplified pairs from OpenCC's own t2s conversion."""
    import opencc

    cps = [cp for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for cp in range(*r)]
    conv = opencc.OpenCC("t2s")
    out = conv.convert("\n".join(chr(cp) for cp in cps)).split("\n")
    table = {}
    if len(out) == len(cps):
        for cp, s in zip(cps, out):
            if len(s) == 1 and ord(s) != cp:
                table[cp] = ord(s)
    return table


def build_table(opts: NormOptions) -> np.ndarray:
    lut = np.arange(0x110000, dtype=np.uint32)
    # Anything outside the BMP becomes U+FFFD unless a step maps it: matching runs on UTF-16 units.
    lut[0x10000:] = 0xFFFD
    lut[0xD800:0xE000] = DELETE
    nfkc_ranges = ((0x00A0, 0x3400), (0xF900, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x2F800, 0x2FA20))
    if opts.width or opts.digits or opts.homoglyphs:
        for lo, hi in nfkc_ranges:
            for cp in range(lo, hi):
                ch = chr(cp)
                n = unicodedata.normalize("NFKC", ch)
                if len(n) != 1 or n == ch:
                    continue
                is_digit = n.isdigit()
                if (is_digit and opts.digits) or (not is_digit and (opts.width or opts.homoglyphs)):
                    lut[cp] = ord(n)
    if opts.digits:
        for k, v in DIGITS.items():
            lut[ord(k)] = ord(v)
    if opts.homoglyphs:
        for k, v in HOMOGLYPHS.items():
            lut[ord(k)] = ord(v)
            lut[ord(k.upper())] = ord(v) if k.upper() != k else lut[ord(k.upper())]
    if opts.symbols:
        for cp in list(range(0x20, 0x3400)) + list(range(0xFB00, 0x10000)) + list(range(0x1F000, 0x20000)):
            if _is_symbol(int(lut[cp])):
                lut[cp] = DELETE
        lut[ord("\t")] = DELETE
        lut[ord("\r")] = DELETE
        for k, v in SYMBOL_WORDS.items():
            lut[ord(k)] = ord(v)
    if opts.invisible:
        for cp in list(range(0, 0x3400)) + list(range(0xA000, 0x10000)) + list(range(0xE0000, 0xE0080)):
            if cp not in (0, 9, 10, 13) and _is_invisible(cp):
                lut[cp] = DELETE
    if opts.t2s:
        for k, v in _t2s_table().items():
            lut[k] = v
    if opts.case:
        # Case last so every earlier mapping (fullwidth Ａ -> A) also lowers.
        upper = np.flatnonzero((lut >= 0x41) & (lut <= 0x5A))
        lut[upper] += 0x20
    lut[lut >= 0x10000] = 0xFFFD  # matching runs on UTF-16 units: nothing may leave the BMP
    lut[0] = 0
    lut[10] = 10
    return lut


@dataclass
class Normalised:
    """A batch after normalisation.

    ``units`` holds the normalised UTF-16 code units (texts joined by SEP),
    ``origin[i]`` the position of unit i in the joined original, and
    ``starts[k]`` where text k starts in the joined original.
    """

    units: np.ndarray
    origin: np.ndarray
    starts: np.ndarray
    originals: list[str]
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.units.tobytes().decode("utf-16-le")
        return self._text

    @property
    def data(self) -> bytes:
        return self.units.tobytes()


class Normaliser:
    """Holds the lookup table for one set of options; built once, shared by threads."""

    _cache: dict[str, np.ndarray] = {}
    _lock = threading.Lock()

    def __init__(self, opts: NormOptions | None = None) -> None:
        self.opts = opts or NormOptions()
        key = self.opts.key()
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build_table(self.opts)
            self.lut = self._cache[key]

    def batch(self, texts: list[str]) -> Normalised:
        joined = SEP.join(t.replace(SEP, " ") for t in texts)
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mapped = self.lut[cps]
        keep = mapped != DELETE
        if self.opts.repeats and len(mapped) > 1:
            kept_idx = np.flatnonzero(keep)
            vals = mapped[kept_idx]
            dup = np.zeros(len(vals), dtype=bool)
            dup[1:] = vals[1:] == vals[:-1]
            # Keep runs of digits: a phone number or price with 00 is not an evasion.
            dup[1:] &= ~((vals[1:] >= 0x30) & (vals[1:] <= 0x39))
            dup &= vals != 0  # an empty text leaves two separators side by side; both stay
            keep[kept_idx[dup]] = False
        origin = np.flatnonzero(keep)
        units = mapped[origin].astype(np.uint16)
        lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        if len(texts) > 1:
            starts[1:] = np.cumsum(lens[:-1] + 1)
        return Normalised(units, origin, starts, texts)

    def text(self, text: str) -> str:
        """The normalised form of one text (used for patterns and tests)."""
        return self.batch([text]).text

    def with_offsets(self, text: str) -> tuple[str, list[int]]:
        n = self.batch([text])
        return n.text, n.origin.tolist()
