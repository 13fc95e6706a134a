"""C2PA manifests: a ``digitalSourceType`` of ``trainedAlgorithmicMedia`` (or its
composite form) counts as metadata saying the content is AI-generated.

Reading is offline (c2pa-python bundles the Rust SDK). The signer's trust is
reported, not required: an untrusted but intact claim still says what its
producer declared. Files without a JUMBF ``c2pa`` box are not handed to the SDK.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

log = logging.getLogger(__name__)

AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")
_MIMES = {"image/jpeg", "image/png", "image/webp", "video/mp4", "image/heic", "image/avif", "image/tiff"}


def manifest_json(data: bytes, mime: str) -> dict[str, Any] | None:
    """The reader's JSON for ``data``, or None when there is no (readable) manifest."""
    if mime not in _MIMES or b"c2pa" not in data:
        return None
    try:
        import c2pa
    except ImportError:  # pragma: no cover - c2pa-python is in the lock
        log.warning("c2pa-python is not installed; C2PA manifests are not read")
        return None
    try:
        with c2pa.Reader(mime, io.BytesIO(data)) as reader:
            return json.loads(reader.json())
    except Exception as exc:  # noqa: BLE001 - the SDK raises C2paError subclasses on bad input
        log.info("no readable C2PA manifest: %s", exc)
        return None


def _walk(obj: Any):
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def ai_claim(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """What the active manifest says about AI, or None if it says nothing."""
    active = manifest.get("manifests", {}).get(manifest.get("active_manifest") or "", {})
    for node in _walk(active.get("assertions", [])):
        source = node.get("digitalSourceType")
        if isinstance(source, str) and source.rsplit("/", 1)[-1] in AI_SOURCE_TYPES:
            sig = active.get("signature_info", {})
            statuses = [s.get("code") for s in manifest.get("validation_status", []) or []]
            return {
                "digitalSourceType": source.rsplit("/", 1)[-1],
                "action": node.get("action"),
                "issuer": sig.get("issuer") or sig.get("common_name") or "",
                "manifest": manifest.get("active_manifest"),
                "trusted": "signingCredential.untrusted" not in statuses,
                "validation": statuses,
            }
    return None


def read(data: bytes, mime: str):
    """Hits for the carriers module: one ``c2pa`` hit when the manifest says AI."""
    from watermark.carriers import Hit

    manifest = manifest_json(data, mime)
    if not manifest:
        return []
    claim = ai_claim(manifest)
    if claim is None:
        return []
    meta = {
        "Label": "1",
        "ContentProducer": claim["issuer"],
        "ProduceID": claim["manifest"] or "",
        "ReservedCode1": "",
        "ContentPropagator": "",
        "PropagateID": "",
        "ReservedCode2": "",
    }
    errors = [] if claim["trusted"] else ["c2pa: the manifest's signing certificate is not trusted here"]
    return [Hit("c2pa", meta, errors)]
