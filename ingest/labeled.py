"""GET /v1/items/{id}/labeled: the content as the platform publishes it, with its AI labels."""

from __future__ import annotations

from fastapi.responses import Response

from modpipe.models import Item
from modpipe.runtime import Runtime

TEXT_NOTICES = {
    "1": "【本内容由人工智能生成】",
    "2": "【本内容可能由人工智能生成合成】",
    "3": "【本内容疑似由人工智能生成合成】",
}


def labeled_response(rt: Runtime, item: Item) -> Response:
    label = (item.aigc or {}).get("label")
    # The bytes are the uploader's: a browser must never sniff them into HTML or script.
    headers = {"X-Modpipe-AIGC-Label": label or "none", "X-Content-Type-Options": "nosniff"}
    if item.blob_sha256:
        data = rt.store.get(item.blob_sha256)
        return Response(data, media_type=item.mime or "application/octet-stream", headers=headers)
    text = item.text or ""
    if label in TEXT_NOTICES:
        text = f"{TEXT_NOTICES[label]}\n{text}"
    return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
