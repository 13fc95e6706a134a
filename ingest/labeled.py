"""GET /v1/items/{id}/labeled: the content as the platform publishes it, with its AI labels.

The stored original is evidence and is never changed; the labelled copy is made
on request from it and the verdict's AIGC finding (explicit notice, implicit
metadata with our ContentPropagator/PropagateID, and the invisible mark).
"""

from __future__ import annotations

from fastapi.responses import Response

from modpipe.domain import Flag, Kind
from modpipe.models import Item
from modpipe.runtime import Runtime


def finding_from(stored: dict):
    from watermark import AigcFinding

    stored = stored or {}
    return AigcFinding(
        label=stored.get("label"),
        found_in=list(stored.get("found_in") or []),
        metadata=stored.get("metadata"),
        errors=list(stored.get("errors") or []),
        flags=[Flag(f) for f in stored.get("flags") or [] if f in Flag._value2member_map_],
        missing=list(stored.get("missing") or []),
    )


def labeled_response(rt: Runtime, item: Item) -> Response:
    from watermark import apply_labels

    data = rt.store.get(item.blob_sha256) if item.blob_sha256 else None
    out = apply_labels(Kind(item.kind), data, item.text if data is None else None, finding_from(item.aigc),
                       propagator=rt.settings.propagator, propagate_id=item.id)
    label = (item.aigc or {}).get("label") or "none"
    # The bytes are the uploader's: a browser must never sniff them into HTML or script.
    headers = {"X-Modpipe-AIGC-Label": label, "X-Content-Type-Options": "nosniff"}
    if out.metadata and out.data is None:
        import json

        headers["X-Modpipe-AIGC"] = json.dumps({"AIGC": out.metadata}, ensure_ascii=True, separators=(",", ":"))
    body = out.data if out.data is not None else (out.text or "").encode()
    return Response(body, media_type=out.mime, headers=headers)
