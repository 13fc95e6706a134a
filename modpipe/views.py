"""How an item looks to the outside: one function shared by the API and the webhook."""

from __future__ import annotations

from typing import Any

from modpipe.models import Item


def item_view(item: Item) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": item.id,
        "external_id": item.external_id,
        "kind": item.kind,
        "status": item.status,
        "decision": item.decision if item.status == "decided" else None,
        "categories": item.categories or [],
        "flags": item.flags or [],
        "aigc": item.aigc or {"label": None},
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
    }
    if item.status == "rejected":
        view["reason"] = item.reason
    if item.status == "decided":
        view["decision_source"] = item.decision_source
        view["rules_version"] = item.rules_version
        view["model_version"] = item.model_version
    return view
