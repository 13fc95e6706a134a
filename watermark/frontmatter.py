"""Markdown front matter: the implicit label of a text item.

``---`` opens the document, a YAML block follows, ``---`` (or ``...``) closes it.
The label is the ``AIGC`` key, as a mapping or as a JSON string. YAML from users
is parsed with ``safe_load`` and a size cap; anything odd is reported.
"""

from __future__ import annotations

import json
import re

import yaml

from watermark import label as aigc_label

_FM_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
MAX_FM = 64 * 1024


def split(text: str) -> tuple[str | None, str]:
    """(front matter block or None, the body after it)."""
    m = _FM_RE.match(text or "")
    if not m or len(m.group(1)) > MAX_FM:
        return None, text
    return m.group(1), text[m.end() :]


def read(text: str) -> tuple[str | dict | None, list[str]]:
    """The raw ``AIGC`` value in the front matter (None if absent) and problems."""
    block, _ = split(text)
    if block is None or "aigc" not in block.lower():
        return None, []
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        m = re.search(r"^AIGC\s*:\s*(\{.*\})\s*$", block, re.M | re.I)
        if m:
            return m.group(1), []
        return None, [f"front_matter: not valid YAML ({str(exc).splitlines()[0]})"]
    if not isinstance(data, dict):
        return None, []
    for key in data:
        if isinstance(key, str) and key.lower() == "aigc":
            value = data[key]
            return (value if isinstance(value, (str, dict)) else json.dumps(value, default=str)), []
    return None, []


def write(text: str, obj: dict[str, str]) -> str:
    """``text`` with its front matter's ``AIGC`` set to ``obj`` (other keys kept)."""
    block, body = split(text)
    line = "AIGC: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if block is None:
        return f"---\n{line}\n---\n{text}"
    # Drop an old multi-line AIGC mapping's indented continuation lines too.
    out, skipping = [], False
    for ln in block.splitlines():
        if re.match(r"^aigc\s*:", ln, re.I):
            skipping = True
            continue
        if skipping and (ln.startswith((" ", "\t")) or not ln.strip()):
            continue
        skipping = False
        out.append(ln)
    return "---\n" + "\n".join([*out, line]) + "\n---\n" + body


def parse_label(text: str) -> tuple[dict[str, str] | None, list[str]]:
    raw, errors = read(text)
    if raw is None:
        return None, errors
    meta, problems = aigc_label.parse(raw)
    return meta, errors + [f"front_matter: {p}" for p in problems]
