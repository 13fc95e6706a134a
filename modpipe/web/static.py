"""Static files (CSS, JS) served by the app itself at ``/static``: nothing from a CDN.

One list of folders; a request is answered from the first that has the file.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIRS = (
    ROOT / "modpipe" / "web" / "static",
    ROOT / "review_queue" / "static",
    ROOT / "reports" / "static",
)


class _Statics(StaticFiles):
    def get_directories(self, directory=None, packages=None):
        return [str(d) for d in STATIC_DIRS if d.is_dir()]


def mount(app: FastAPI) -> None:
    app.mount("/static", _Statics(check_dir=False), name="static")
