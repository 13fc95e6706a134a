"""Clause 7: every time platform staff read an item's content (review tasks through the API and the
workspace pages, the image itself, the compliance item record, the labelled copy) the audit log
says who, when, which item and through what; an organisation reading its own items leaves no trace."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from modpipe.domain import Kind
from tests.review.test_pages import sign_in


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def content_reads(client, compliance) -> list[tuple[str, str, str, str]]:
    r = client.get("/v1/audit", params={"action": "item.content_viewed"}, headers=compliance.headers)
    assert r.status_code == 200
    now = datetime.now(timezone.utc)
    out = []
    for e in r.json()["entries"]:
        assert now - timedelta(minutes=5) < datetime.fromisoformat(e["at"]) <= now
        assert e["details"]["item_id"] == e["target"].removeprefix("item:") and e["org_id"]
        out.append((e["actor"], e["details"]["role"], e["target"], e["details"]["via"]))
    return sorted(out)


def test_staff_reads_of_content_leave_an_audit_record(client, submit_reviewed, staff_member, org):
    text_item = submit_reviewed()
    image_item = submit_reviewed(kind=Kind.IMAGE, data=_png(), mime="image/png")
    mia = staff_member("mia", "moderator")
    max_ = staff_member("max", "senior_moderator", password="pw-max-123")
    cora = staff_member("cora", "compliance")
    ada = staff_member("ada", "admin")
    oa = staff_member("oa", "org_admin", org_id=org.org_id)

    task = client.post("/v1/review/claim", headers=mia.headers).json()["task"]
    assert client.get(f"/v1/review/tasks/{task['id']}", headers=cora.headers).status_code == 200
    sign_in(client, "max", "pw-max-123")  # the workspace page shows any task to a reader
    assert client.get(f"/review/tasks/{task['id']}").status_code == 200
    assert client.get(f"/review/items/{image_item}/media").status_code == 200
    client.cookies.clear()
    assert client.get(f"/v1/reports/items/{text_item}", headers=cora.headers).status_code == 200
    assert client.get(f"/v1/items/{image_item}/labeled", headers=ada.headers).status_code == 200
    # no content, or the organisation's own: no record
    assert client.get(f"/v1/items/{text_item}", headers=ada.headers).status_code == 200
    assert client.get(f"/v1/items/{text_item}/labeled", headers=org.headers).status_code == 200
    assert client.get(f"/v1/items/{text_item}/labeled", headers=oa.headers).status_code == 200

    claimed = f"item:{task['item_id']}"
    assert content_reads(client, cora) == sorted([
        ("mia", "moderator", claimed, "api:review.claim"),
        ("cora", "compliance", claimed, "api:review.task"),
        ("max", "senior_moderator", claimed, "page:review.task"),
        ("max", "senior_moderator", f"item:{image_item}", "page:review.media"),
        ("cora", "compliance", f"item:{text_item}", "api:reports.item"),
        ("ada", "admin", f"item:{image_item}", "api:items.labeled"),
    ])
    # the compliance record of an item lists who has read it
    trail = client.get(f"/v1/reports/items/{image_item}", headers=cora.headers).json()["audit"]
    reads = {(e["actor"], e["details"]["via"]) for e in trail if e["action"] == "item.content_viewed"}
    assert {("max", "page:review.media"), ("ada", "api:items.labeled")} <= reads
    assert client.get("/v1/audit/verify", headers=cora.headers).json()["ok"]
