"""Small helpers shared by the AIGC-label tests."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def encode(arr: np.ndarray, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **kw)
    return buf.getvalue()


def c2pa_sign(signer, data: bytes, mime: str, source_type: str) -> bytes:
    import c2pa

    manifest = {
        "claim_generator_info": [{"name": "modpipe-test", "version": "0"}],
        "title": "test",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType": f"http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}",
        }]}}],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()
