"""Video: sample frames, run each through the image stages, keep timestamps.

A frame goes through the stages every ``frame_interval`` seconds and at
every scene change (grey-histogram distance or mean pixel difference between two checks, taken every
``scene_check_interval`` seconds on a 64x36 thumbnail). Between checks
frames are only grabbed (demuxed and decoded, never converted), which keeps
decoding far cheaper than real time. A sampled frame whose PDQ hash is
within ``frame_dedupe_distance`` of the last analysed frame reuses that
frame's OCR/NSFW/QR results, so a static shot costs one hash. Sampled frames
are analysed on ``video_threads`` threads while decoding goes on (onnxruntime
and OpenCV release the GIL), at most a few frames ahead so memory stays flat.

Caps (bytes, pixels, duration) end in ``RejectedInput``; the duration cap is
checked against the container's claim first and against the frames actually
decoded as well, so a lying header does not help. Audio is not processed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Callable

import numpy as np

from modpipe.errors import RejectedInput

from .decode import Frame
from .hashbank import hex_distance
from .limits import MediaLimits


@dataclass
class VideoInfo:
    width: int
    height: int
    fps: float
    declared_seconds: float
    decoded_seconds: float = 0.0
    frames_decoded: int = 0


def _thumb(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 64x36 grey thumbnail and its normalised 32-bin histogram."""
    import cv2

    small = cv2.resize(bgr, (64, 36), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    hist = np.bincount((grey >> 3).ravel(), minlength=32).astype(np.float32)
    return grey.astype(np.int16), hist / hist.sum()


def is_cut(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], limits: MediaLimits) -> bool:
    return (0.5 * float(np.abs(a[1] - b[1]).sum()) > limits.scene_threshold
            or float(np.abs(a[0] - b[0]).mean()) > limits.scene_pixel_threshold)


def _working(bgr: np.ndarray, max_side: int) -> Frame:
    import cv2

    h, w = bgr.shape[:2]
    scale = 1.0
    if max(h, w) > max_side:
        scale = max(h, w) / max_side
        bgr = cv2.resize(bgr, (round(w / scale), round(h / scale)), interpolation=cv2.INTER_AREA)
    return Frame(np.ascontiguousarray(bgr[:, :, ::-1]), None, scale)


def sample_frames(data: bytes, limits: MediaLimits, on_frame: Callable[[Frame, bool], None]) -> VideoInfo:
    """Call ``on_frame(frame, is_scene_change)`` for each frame to analyse, in order."""
    import cv2

    if len(data) > limits.max_video_bytes:
        raise RejectedInput(f"video is {len(data)} bytes, over the {limits.max_video_bytes}-byte cap")
    fd, path = tempfile.mkstemp(prefix="modpipe-video-", suffix=".bin")
    cap = None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
        if not cap.isOpened():
            raise RejectedInput("undecodable video: the container could not be opened (corrupt or truncated)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if not (0.1 <= fps <= 1000.0):
            raise RejectedInput(f"video declares an impossible frame rate ({fps:g} fps)")
        if w * h > limits.max_video_pixels:
            raise RejectedInput(f"video frames are {w}x{h}, over the cap of {limits.max_video_pixels} pixels")
        declared = count / fps if count > 0 else 0.0
        if declared > limits.max_video_seconds:
            raise RejectedInput(f"video lasts {declared:.1f} s, over the {limits.max_video_seconds:g}-second cap")
        info = VideoInfo(w, h, fps, round(declared, 3))
        check_every = max(1, round(fps * limits.scene_check_interval))
        max_frames = int(limits.max_video_seconds * fps) + 1
        last_thumb = None
        last_pick = None
        i = -1
        picked = 0
        while True:
            if not cap.grab():
                break
            i += 1
            if i >= max_frames:
                raise RejectedInput(
                    f"video runs past the {limits.max_video_seconds:g}-second cap (its header claimed {declared:.1f} s)"
                )
            if i % check_every:
                continue
            t = i / fps
            ok, bgr = cap.retrieve()
            if not ok or bgr is None or bgr.ndim != 3:
                continue
            if bgr.shape[0] * bgr.shape[1] > limits.max_video_pixels:
                raise RejectedInput(f"video frame at {t:.1f} s is {bgr.shape[1]}x{bgr.shape[0]}, over the pixel cap")
            thumb = _thumb(bgr)
            scene = last_thumb is not None and is_cut(thumb, last_thumb, limits)
            last_thumb = thumb
            due = last_pick is None or t - last_pick >= limits.frame_interval - 1e-6
            if (due or scene) and picked < limits.max_video_frames:
                frame = _working(bgr, limits.video_max_side)
                frame.time = round(t, 2)
                last_pick = t
                picked += 1
                on_frame(frame, scene)
        info.frames_decoded = i + 1
        info.decoded_seconds = round((i + 1) / fps, 3)
        if i < 0:
            raise RejectedInput("undecodable video: no frame could be decoded")
        if count > 0 and (i + 1) < 0.5 * count:
            raise RejectedInput(
                f"truncated video: decoded {i + 1} of the {int(count)} frames its header declares"
            )
        return info
    finally:
        if cap is not None:
            cap.release()
        try:
            os.unlink(path)
        except OSError:
            pass


def same_shot(pdq_a: str, pdq_b: str, limits: MediaLimits) -> bool:
    return bool(pdq_a and pdq_b) and hex_distance(pdq_a, pdq_b) <= limits.frame_dedupe_distance
