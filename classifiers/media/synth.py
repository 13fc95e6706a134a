"""Synthetic media for tests and the benchmark: posters with Chinese text,
QR codes, noise patterns and 720p clips, made on the spot (nothing binary is
committed). Chinese text needs a CJK font: Debian's ``fonts-wqy-microhei``
(or Noto CJK) provides one.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def cjk_font_path() -> str:
    for p in CJK_FONTS:
        if os.path.exists(p):
            return p
    raise FileNotFoundError(
        "no CJK font found for rendering Chinese test images; install one: apt-get install fonts-wqy-microhei"
    )


def font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(cjk_font_path(), size)


def qr_image(payload: str, scale: int = 6):
    import zxingcpp
    from PIL import Image

    bc = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
    return Image.fromarray(np.asarray(bc.to_image(scale=scale))).convert("RGB")


def poster(lines: list[str], size=(900, 600), qr: str | None = None, seed: int = 0, font_size: int = 40):
    """A poster: a soft coloured background, lines of text, optionally a QR code."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    w, h = size
    base = rng.integers(200, 256, size=3)
    grad = np.linspace(0, 30, h, dtype=np.float32)[:, None, None]
    bg = np.clip(base[None, None, :] - grad + rng.normal(0, 3, (h, w, 3)), 0, 255).astype(np.uint8)
    im = Image.fromarray(bg)
    d = ImageDraw.Draw(im)
    f = font(font_size)
    y = 30
    for line in lines:
        d.text((30, y), line, font=f, fill=(20, 20, 20))
        y += int(font_size * 1.8)
    if qr:
        q = qr_image(qr, scale=5)
        im.paste(q, (w - q.width - 30, h - q.height - 30))
    return im


def photo_like(size=(1024, 768), seed: int = 0, cell: int = 32):
    """A busy, photo-like picture (smooth blobs plus noise): no text, high PDQ quality."""
    import cv2
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    small = rng.integers(0, 256, size=(h // cell + 1, w // cell + 1, 3), dtype=np.uint8)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    noisy = np.clip(big.astype(np.int16) + rng.integers(-12, 12, size=big.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(noisy)


def encode(im, fmt: str = "JPEG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def video_clip(seconds: float = 10.0, size=(1280, 720), fps: float = 25.0, scene_every: float = 4.0,
               captions: list[str] | None = None, qr_payload: str | None = None, seed: int = 0) -> bytes:
    """An mp4v clip: scenes (photo-like backgrounds that pan) changing every
    ``scene_every`` seconds, a Chinese caption per scene, a QR code in one scene."""
    import cv2

    w, h = size
    captions = captions or ["欢迎参加公益活动", "本周末社区义卖", "感谢每一位志愿者"]
    n_scenes = max(1, int(np.ceil(seconds / scene_every)))
    scenes = []
    for i in range(n_scenes):
        bg = np.asarray(photo_like((w + 200, h), seed=seed + i, cell=160))[:, :, ::-1].copy()
        from PIL import Image, ImageDraw

        fs = max(16, min(52, w // 16))  # the caption fits the frame's width
        cap = Image.new("RGB", (w, int(fs * 1.7)), (0, 0, 0))
        ImageDraw.Draw(cap).text((fs // 2, fs // 3), captions[i % len(captions)], font=font(fs), fill=(255, 255, 255))
        overlay = np.asarray(cap)[:, :, ::-1]
        qr = None
        if qr_payload and i == 1:
            qr = np.asarray(qr_image(qr_payload, scale=6 if h >= 480 else 3))[:, :, ::-1]
        scenes.append((bg, overlay, qr))
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        vw = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not vw.isOpened():
            raise RuntimeError("OpenCV cannot write mp4v video here")
        for k in range(int(seconds * fps)):
            t = k / fps
            bg, overlay, qr = scenes[min(n_scenes - 1, int(t // scene_every))]
            off = int((t % scene_every) / scene_every * 200)
            frame = bg[:, off : off + w].copy()
            frame[h - overlay.shape[0] - 20 : h - 20] = overlay
            if qr is not None:
                m = 40 if h >= 480 else 10
                frame[m : m + qr.shape[0], w - m - qr.shape[1] : w - m] = qr
            vw.write(frame)
        vw.release()
        return Path(path).read_bytes()
    finally:
        os.unlink(path)
