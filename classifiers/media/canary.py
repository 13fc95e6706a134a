"""A known-bad test image for hash banks, as EICAR is for virus scanners.

The canary is seeded noise that no camera or drawing produces. The platform
bank carries its hash (entry ``modpipe-canary``), so anyone can check the
whole hash path end to end, and the hash-bank classifier's examples run
against the real index.
"""

from __future__ import annotations

import numpy as np

CANARY_ENTRY_ID = "modpipe-canary"
CANARY_SEED = 20250901


def canary_image(size: int = 256) -> np.ndarray:
    """The canary as an RGB array: 8x8-pixel blocks of seeded noise."""
    rng = np.random.default_rng(CANARY_SEED)
    blocks = rng.integers(0, 256, size=(size // 8, size // 8, 3), dtype=np.uint8)
    return np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1)


def canary_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(canary_image()).save(buf, "PNG")
    return buf.getvalue()
