"""The embedded shape (SQLite, local files): the compliance paths work there too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from modpipe import events
from modpipe.accounts import create_org, create_user
from modpipe.db import utcnow
from modpipe.models import Account, Item
from reports import audit
from reports.retention import purge
from review_queue.models import ReviewTask


@pytest.fixture
def sqlite_rt(make_runtime, sqlite_url):
    return make_runtime(sqlite_url, with_broker=False)


def test_workflow_on_sqlite(sqlite_rt):
    from ingest.app import create_app

    rt = sqlite_rt
    org, _ = create_org(rt.db, "嵌入式基金会")
    mod, _ = create_user(rt.db, "mod-s", "moderator")
    _, comp = create_user(rt.db, "comp-s", "compliance")
    admin, admin_token = create_user(rt.db, "oa-s", "org_admin", org_id=org.id)
    sha = rt.store.put(b"GIF89a fake original bytes")
    with rt.db.session() as s:
        acc = Account(org_id=org.id, external_user_id="s1", real_name_binding="孙八")
        s.add(acc)
        s.flush()
        item = Item(org_id=org.id, account_id=acc.id, kind="image", status="decided", blob_sha256=sha,
                    mime="image/gif", decision="review", decision_source="model",
                    categories=[{"category": "rumor_disorder", "score": 0.7, "evidence": []}])
        s.add(item)
        s.flush()
        task = ReviewTask(item_id=item.id, queue="pipeline", status="done", decision="block",
                          categories=["rumor_disorder"], fabricated=True, decided_by=mod.id, decided_at=utcnow())
        s.add(task)
        item.decision, item.decision_source, item.decided_at = "block", "moderator", utcnow()
        s.flush()
        events.emit("review.decided", session=s, task=task, item=item, final=True)
        audit.record(s, "mod-s", "review.decide", target=f"review_task:{task.id}", org_id=org.id, item_id=item.id)
    h = {"Authorization": f"Bearer {comp}"}
    with TestClient(create_app(rt)) as client:
        [rep] = client.get("/v1/reports/regulator", headers=h).json()["reports"]
        assert client.post(f"/v1/reports/regulator/{rep['id']}/submit", headers=h).status_code == 200
        record = client.get(f"/v1/reports/items/{item.id}", headers=h).json()
        assert "review.decide" in [e["action"] for e in record["audit"]]
        assert client.get("/v1/reports/violations", headers=h).json()["total_items"] == 1
        assert client.get(f"/v1/reports/regulator/{rep['id']}.pdf", headers=h).content.startswith(b"%PDF")
        answer = client.post(f"/v1/orgs/{org.id}/deletion", json={"closure": True},
                             headers={"Authorization": f"Bearer {admin_token}"}).json()
        assert [k["record"] for k in answer["kept_sealed"]][:2] == ["regulator_report", "evidence_original"]
        assert rt.store.exists(sha)
        ev = client.get(f"/v1/reports/regulator/{rep['id']}/evidence/{sha}", headers=h)
        assert ev.content == b"GIF89a fake original bytes"
        assert client.get("/v1/audit/verify", headers=h).json()["ok"] is True
    out = purge(rt, now=utcnow().replace(year=utcnow().year + 5))
    assert out["regulator_reports_kept"] == 1 and out["audit_entries_removed"] > 0
    with rt.db.session() as s:
        assert audit.verify(s).ok
