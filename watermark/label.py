"""The implicit label itself: the seven-field ``AIGC`` object of GB 45438-2025.

Every carrier (XMP, PNG text, EXIF, MP4, front matter) holds the same JSON;
this module parses it, says what is wrong with it, and builds the platform's
own copy. Malformed labels are reported as strings, never raised: a broken
label on a user's file is a finding, not a crash.
"""

from __future__ import annotations

import json
from typing import Any

FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
LABELS = ("1", "2", "3")  # 1 AI-generated, 2 possibly, 3 suspected
MAX_JSON = 64 * 1024


def parse(raw: str | bytes | dict[str, Any]) -> tuple[dict[str, str] | None, list[str]]:
    """Parse a label from its JSON (wrapped as ``{"AIGC": {...}}`` or bare).

    Returns the normalised seven-field object (missing fields as ``""``) or None,
    and the problems found. A label with problems is still returned when its
    ``Label`` field can be read, so the decision can use it.
    """
    errors: list[str] = []
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", errors="replace")
    if isinstance(raw, str):
        text = raw.strip().lstrip("\ufeff")
        if len(text) > MAX_JSON:
            return None, [f"AIGC label is {len(text)} characters long; the limit is {MAX_JSON}"]
        try:
            obj: Any = json.loads(text)
        except ValueError as exc:
            return None, [f"AIGC label is not valid JSON ({exc.msg} at character {exc.pos}): {text[:60]!r}"]
    else:
        obj = raw
    if isinstance(obj, dict) and "AIGC" in obj:
        obj = obj["AIGC"]
    if isinstance(obj, str):  # doubly encoded, seen in the wild
        return parse(obj)
    if not isinstance(obj, dict):
        return None, [f"AIGC label must be a JSON object, got {type(obj).__name__}"]
    out: dict[str, str] = {}
    for name in FIELDS:
        value = obj.get(name)
        if value is None:
            errors.append(f"AIGC label lacks the {name} field")
            value = ""
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            errors.append(f"AIGC field {name} should be a string, got the number {value!r}")
            value = str(int(value)) if float(value).is_integer() else str(value)
        elif not isinstance(value, str):
            errors.append(f"AIGC field {name} should be a string, got {type(value).__name__}")
            value = json.dumps(value, ensure_ascii=False)
        out[name] = value
    extra = sorted(set(obj) - set(FIELDS))
    if extra:
        errors.append(f"AIGC label has unknown fields: {', '.join(map(str, extra))}")
    if out["Label"] not in LABELS:
        errors.append(f"AIGC Label is {out['Label']!r}; it must be one of 1, 2, 3")
        return None, errors
    return out, errors


def build(
    label: str, propagator: str, propagate_id: str, producer: dict[str, str] | None = None
) -> dict[str, str]:
    """The platform's label: the producer's fields kept, ours added as propagator."""
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of 1, 2, 3")
    out = {name: "" for name in FIELDS}
    if producer:
        out.update({k: str(v) for k, v in producer.items() if k in FIELDS and v is not None})
    # A producer's Label 1 stands; the platform only ever adds a weaker label when it has none.
    out["Label"] = out["Label"] if out["Label"] in LABELS and out["Label"] <= label else label
    out["ContentPropagator"] = propagator
    out["PropagateID"] = propagate_id
    return out


def dumps(obj: dict[str, str]) -> str:
    """The JSON the carriers hold: ``{"AIGC": {...}}``, compact, UTF-8."""
    return json.dumps({"AIGC": obj}, ensure_ascii=False, separators=(",", ":"))
