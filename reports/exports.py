"""CSV and JSON exports of regulator and violation reports.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
prefixed with an apostrophe: the content comes from users and must not execute when staff
open the export. CSV is UTF-8 with a BOM so spreadsheet programs read the Chinese text.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

_FORMULA = ("=", "+", "-", "@", "\t", "\r")

REGULATOR_COLUMNS = [
    "id", "chain_id", "version", "status", "supersedes", "superseded_by", "item_id", "item_url", "external_id",
    "org_id", "org_name", "account_user_id", "real_name_binding", "published_at", "source_ip", "kind",
    "content_sha256", "content_text", "aigc_label", "declared_aigc", "detector_decision", "detector_categories",
    "grounds", "clause", "reviews", "action_taken", "summary", "created_at", "submitted_at", "submitted_by",
    "acknowledged_at", "regulator_ref", "payload_sha256", "integrity",
]

VIOLATION_COLUMNS = ["item_id", "external_id", "org_id", "account", "kind", "category", "clause", "source",
                     "decided_at", "period"]


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA):
        return "'" + text
    return text


def to_csv(columns: list[str], records: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in records:
        w.writerow([safe_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def regulator_row(v: dict[str, Any]) -> dict[str, Any]:
    """Flatten a report view (``reports.regulator.view``) into one CSV row."""
    p = v["payload"]
    item, org, acc = p.get("item") or {}, p.get("organisation") or {}, p.get("account") or {}
    det, content = p.get("detectors") or {}, p.get("content") or {}
    reviews = "; ".join(f"{r.get('decided_at')} {r.get('reviewer') or r.get('reviewer_id')} {r.get('decision')}"
                        f"{' fabricated' if r.get('fabricated') else ''} [{','.join(r.get('categories') or [])}]"
                        for r in p.get("reviews") or [])
    return {
        **{k: v.get(k) for k in ("id", "chain_id", "version", "status", "supersedes", "superseded_by", "item_id",
                                 "item_url", "org_id", "content_sha256", "clause", "created_at", "submitted_at",
                                 "submitted_by", "acknowledged_at", "regulator_ref", "payload_sha256", "integrity")},
        "external_id": item.get("external_id"), "org_name": org.get("name"),
        "account_user_id": acc.get("user_id"), "real_name_binding": acc.get("real_name_binding"),
        "published_at": item.get("published_at"), "source_ip": item.get("source_ip"), "kind": item.get("kind"),
        "content_text": content.get("text"), "aigc_label": ((p.get("aigc") or {}).get("labels_received") or {}).get("label"),
        "declared_aigc": (p.get("aigc") or {}).get("declared_aigc"), "detector_decision": det.get("decision"),
        "detector_categories": ",".join(f"{c.get('category')}:{c.get('score')}" for c in det.get("categories") or []),
        "grounds": ",".join(p.get("grounds") or []), "reviews": reviews, "action_taken": p.get("action_taken"),
        "summary": p.get("summary"),
    }


def regulator_csv(views: list[dict[str, Any]]) -> str:
    return to_csv(REGULATOR_COLUMNS, (regulator_row(v) for v in views))


def violations_csv(report: dict[str, Any]) -> str:
    return to_csv(VIOLATION_COLUMNS, report["rows"])
