"""Generated test images for the watermark benchmark and tests: nothing is downloaded.

Six families, so the figures are not flattered by one easy kind of picture:
smooth gradients, fine noise, flat shapes, rendered text (documents,
screenshots), photo-like fractal textures and mixed scenes. Sizes and aspect
ratios vary too. Deterministic for a given seed.
"""

from __future__ import annotations

import cv2
import numpy as np

KINDS = ("gradient", "noise", "shapes", "text", "texture", "scene")


def _size(rng: np.random.Generator) -> tuple[int, int]:
    short = int(rng.integers(384, 769))
    ratio = float(rng.choice([1.0, 4 / 3, 3 / 2, 16 / 9]))
    long_ = int(short * ratio)
    return (short, long_) if rng.random() < 0.5 else (long_, short)


def _gradient(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.empty((h, w, 3), np.float32)
    for ch in range(3):
        a, b = rng.uniform(-1, 1, 2)
        base = rng.uniform(0, 255)
        out[:, :, ch] = base + 200 * (a * xx / w + b * yy / h) + 30 * np.sin(xx / rng.uniform(40, 200))
    return out


def _fractal(rng: np.random.Generator, h: int, w: int, octaves: int = 6) -> np.ndarray:
    out = np.zeros((h, w), np.float32)
    amp = 1.0
    for o in range(octaves):
        sh, sw = max(2, h >> (octaves - o)), max(2, w >> (octaves - o))
        layer = rng.standard_normal((sh, sw)).astype(np.float32)
        out += amp * cv2.resize(layer, (w, h), interpolation=cv2.INTER_CUBIC)
        amp *= 0.6
    out -= out.min()
    return out / (out.max() + 1e-6)


def _noise(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    base = rng.uniform(60, 190, 3).astype(np.float32)
    return base + rng.normal(0, rng.uniform(15, 45), (h, w, 3)).astype(np.float32)


def _shapes(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    img = np.full((h, w, 3), rng.uniform(0, 255, 3), np.float32)
    for _ in range(int(rng.integers(8, 30))):
        color = tuple(float(v) for v in rng.uniform(0, 255, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(10, min(h, w) // 3))
        if rng.random() < 0.5:
            cv2.circle(img, (x, y), r, color, -1, lineType=cv2.LINE_AA)
        else:
            cv2.rectangle(img, (x, y), (x + r, y + int(r * rng.uniform(0.3, 2))), color, -1)
    return img


def _text(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    dark = rng.random() < 0.3
    img = np.full((h, w, 3), 30 if dark else 245, np.uint8)
    ink = (220, 220, 220) if dark else (20, 20, 20)
    scale = float(rng.uniform(0.5, 1.2))
    line_h = int(30 * scale) + 4
    words = ["charity", "report", "donation", "volunteer", "2025", "budget", "the", "and", "of", "program"]
    for y in range(line_h, h - 4, line_h):
        line = " ".join(rng.choice(words, size=12))
        cv2.putText(img, line, (8, y), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, 1, cv2.LINE_AA)
    return img.astype(np.float32)


def _texture(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    out = np.empty((h, w, 3), np.float32)
    for ch in range(3):
        out[:, :, ch] = 255 * _fractal(rng, h, w)
    return out


def _scene(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    sky = _gradient(rng, h, w) * 0.5 + 100
    ground = 255 * _fractal(rng, h, w)[:, :, None] * rng.uniform(0.4, 1.0, 3)
    horizon = int(h * rng.uniform(0.3, 0.7))
    img = sky.copy()
    img[horizon:] = ground[horizon:]
    return _shapes(rng, h, w) * 0.3 + img * 0.7


_MAKERS = {
    "gradient": _gradient,
    "noise": _noise,
    "shapes": _shapes,
    "text": _text,
    "texture": _texture,
    "scene": _scene,
}


def make_image(kind: str, seed: int, size: tuple[int, int] | None = None) -> np.ndarray:
    """One RGB uint8 image of the given family."""
    rng = np.random.default_rng(seed)
    h, w = size or _size(rng)
    return np.clip(_MAKERS[kind](rng, h, w), 0, 255).astype(np.uint8)


def make_set(n: int, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """``n`` images cycling through the families."""
    return [(KINDS[i % len(KINDS)], make_image(KINDS[i % len(KINDS)], seed * 100003 + i)) for i in range(n)]
