"""Exactly one OpenCV, the headless one, and the models come from the wheels.

rapidocr and nudenet ask for ``opencv-python``, which installs into the same
``cv2/`` folder as ``opencv-python-headless`` and silently replaces it; the
lock is installed with ``--no-deps`` so that never happens. These tests fail
if it ever does.
"""

import importlib.metadata as md
import os
import re
from pathlib import Path

import pytest

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"


def test_only_headless_opencv_is_installed_and_pinned():
    for name in ("opencv-python", "opencv-contrib-python", "opencv-contrib-python-headless"):
        with pytest.raises(md.PackageNotFoundError):
            md.distribution(name)
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(), re.M))
    assert "opencv-python" not in {k.lower() for k in pins}
    assert md.version("opencv-python-headless") == pins["opencv-python-headless"]
    import cv2

    assert re.search(r"GUI:\s+NONE", cv2.getBuildInformation())  # the headless build


def test_models_ship_inside_the_wheels():
    import nudenet
    import rapidocr_onnxruntime

    ocr_models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    assert {p.name for p in ocr_models.glob("*.onnx")} >= {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"}
    assert (Path(nudenet.__file__).parent / "320n.onnx").stat().st_size > 1_000_000
    import magika

    assert any(Path(magika.__file__).parent.rglob("*.onnx"))


def test_nothing_loads_at_import():
    import subprocess
    import sys

    code = ("import sys, classifiers.media; "
            "print(sorted(m for m in ('cv2', 'onnxruntime', 'rapidocr_onnxruntime', 'nudenet', 'magika', 'yara') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONPATH": "."})
    assert out.stdout.strip() == "[]"
