"""Media made at test time, shared by the media tests (session-scoped: OCR is
the slow part, so each rendered picture is extracted once)."""

from __future__ import annotations

import pytest

from classifiers.base import Content
from classifiers.media import extract, synth
from modpipe.domain import Kind

POSTER_LINES = ["慈善募捐活动报名", "加微信领取免费红包", "本周六社区义卖"]
QR_URL = "https://pay.example.cn/donate?id=42"


@pytest.fixture(scope="session")
def poster_jpeg() -> bytes:
    return synth.encode(synth.poster(POSTER_LINES, (900, 600), qr=QR_URL, seed=3), "JPEG", quality=92)


@pytest.fixture(scope="session")
def poster_content(poster_jpeg) -> Content:
    c = Content(kind=Kind.IMAGE, data=poster_jpeg, filename="poster.jpg", mime="image/jpeg")
    extract(c)
    return c


@pytest.fixture(scope="session")
def small_clip() -> bytes:
    """4 s at 320x240, a cut at 2 s, a Chinese caption per scene, a QR code in the second scene."""
    return synth.video_clip(4.0, (320, 240), 10.0, scene_every=2.0, captions=["欢迎参加公益", "本周义卖活动"],
                            qr_payload="https://video.example.cn/join")
