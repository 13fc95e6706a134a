"""Deletion requests and closure keep the sealed records and list them; retention purges the rest."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from modpipe.db import utcnow
from modpipe.errors import ConfigError
from modpipe.models import Account, HashBankEntry, Item, OrgTerm
from modpipe.settings import Retention, Settings
from reports import audit, regulator
from reports.models import AuditEntry, RegulatorReport
from reports.retention import purge
from tests.reports.helpers import auth


def png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buf, "PNG")
    return buf.getvalue()


def submit_all(rt, item_id):
    with rt.db.session() as s:
        for r in s.scalars(select(RegulatorReport).where(RegulatorReport.item_id == item_id)):
            regulator.submit(s, r, "compliance-1")


def test_closure_removes_controlled_data_and_keeps_sealed_records(client, rt, make_org, make_item, decide, moderator,
                                                                   compliance, make_staff):
    org, other = make_org("将关闭的机构"), make_org("别的机构")
    reported_png, plain_png, shared_png = png("red"), png("green"), png("blue")
    reported = make_item(org.org_id, data=reported_png, mime="image/png", user_id="carol", real_name="王五")
    plain = make_item(org.org_id, data=plain_png, mime="image/png", user_id="carol")
    shared = make_item(org.org_id, data=shared_png, mime="image/png", user_id="dave")
    make_item(other.org_id, data=shared_png, mime="image/png", user_id="erin")  # the same picture, elsewhere
    texty = make_item(org.org_id, "普通文字", user_id="dave")
    decide(reported.item_id, moderator["user_id"], fabricated=True)
    submit_all(rt, reported.item_id)
    with rt.db.session() as s:
        s.add(OrgTerm(org_id=org.org_id, term="募捐", action="review"))
        s.add(HashBankEntry(org_id=org.org_id, pdq="f" * 64, category="porn_gambling_violence"))
        s.add(HashBankEntry(org_id=None, pdq="e" * 64, category="porn_gambling_violence"))
    admin = make_staff("org-admin-x", "org_admin", org_id=org.org_id)
    shas = {k: rt.store.put(v) for k, v in (("reported", reported_png), ("plain", plain_png), ("shared", shared_png))}

    # another organisation's admin cannot ask for this one's deletion
    stranger = make_staff("org-admin-y", "org_admin", org_id=other.org_id)
    assert client.post(f"/v1/orgs/{org.org_id}/deletion", json={"closure": True}, headers=auth(stranger)).status_code == 403

    r = client.post(f"/v1/orgs/{org.org_id}/deletion", json={"closure": True, "reason": "机构注销"}, headers=auth(admin))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["closure"] is True and answer["removed"]["item_contents"] == 4
    assert answer["removed"]["org_terms"] == 1 and answer["removed"]["hash_bank_entries"] == 1
    assert answer["removed"]["accounts_pseudonymised"] == 2 and answer["removed"]["api_key_revoked"] is True
    assert answer["removed"]["originals"] == 1  # the plain one; the shared and the sealed one stay
    kept = {k["record"]: k for k in answer["kept_sealed"]}
    assert kept["regulator_report"]["item_id"] == reported.item_id and kept["regulator_report"]["status"] == "submitted"
    assert kept["evidence_original"]["sha256"] == shas["reported"]
    assert kept["audit_log"]["entries"] >= 1 and kept["review_decisions"]["count"] == 1
    assert all(k.get("basis") for k in answer["kept_sealed"])

    assert not rt.store.exists(shas["plain"])
    assert rt.store.exists(shas["shared"]) and rt.store.exists(shas["reported"])
    with rt.db.session() as s:
        for made in (reported, plain, shared, texty):
            item = s.get(Item, made.item_id)
            assert item.text is None and item.blob_sha256 is None and item.source_ip is None
            assert item.deleted_at is not None and item.decision  # the decision record (a log) stays
        names = {a.external_user_id for a in s.scalars(select(Account).where(Account.org_id == org.org_id))}
        assert names and all(n.startswith("deleted-") for n in names)
        assert s.scalar(select(OrgTerm).where(OrgTerm.org_id == org.org_id)) is None
        assert s.scalar(select(HashBankEntry).where(HashBankEntry.org_id.is_(None))) is not None
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "org.closed")).one().actor == "org-admin-x"
    # access is gone: the API key and the org admin's token
    assert client.get(f"/v1/items/{plain.item_id}", headers=org.headers).status_code == 401
    assert client.get(f"/v1/orgs/{org.org_id}/violations", headers=auth(admin)).status_code == 401
    # the sealed record is whole: snapshot, the original, the hashes
    h = auth(compliance)
    rep = client.get(f"/v1/reports/regulator/{kept['regulator_report']['id']}", headers=h).json()
    assert rep["integrity"] == "ok" and rep["payload"]["account"]["real_name_binding"] == "王五"
    ev = client.get(f"/v1/reports/regulator/{rep['id']}/evidence/{shas['reported']}", headers=h)
    assert ev.status_code == 200 and ev.content == reported_png
    listed = client.get(f"/v1/orgs/{org.org_id}/deletions", headers=h).json()["deletions"]
    assert listed[0]["id"] == answer["id"]


def test_deleting_some_items_keeps_the_text_snapshot(client, rt, org, make_item, decide, moderator, compliance,
                                                      make_staff):
    made = make_item(org.org_id, "编造的灾情消息")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    admin = make_staff("org-admin-z", "org_admin", org_id=org.org_id)
    r = client.post(f"/v1/orgs/{org.org_id}/deletion", json={"item_ids": [made.item_id]}, headers=auth(admin))
    assert r.status_code == 200
    assert r.json()["scope"] == "items"
    [rep] = client.get("/v1/reports/regulator", headers=auth(compliance)).json()["reports"]
    assert rep["status"] == "draft" and rep["payload"]["content"]["text"] == "编造的灾情消息"
    assert client.get(f"/v1/items/{made.item_id}", headers=org.headers).status_code == 404
    bad = client.post(f"/v1/orgs/{org.org_id}/deletion", json={"item_ids": ["nope"]}, headers=auth(admin))
    assert bad.status_code == 404


def test_retention_settings_refuse_less_than_six_months():
    with pytest.raises(ConfigError, match="legal minimum"):
        Settings.from_env(env={"MODPIPE_RETENTION_LOG_DAYS": "30"})
    with pytest.raises(ConfigError, match="legal minimum"):
        Retention(report_days=100)
    s = Settings.from_env(env={"MODPIPE_RETENTION_CONTENT_DAYS": "30"})
    assert s.retention.log_days >= 183 and s.retention.report_days >= 183 and s.retention.content_days == 30


def test_purge_never_removes_sealed_or_young_records(rt, org, make_item, decide, moderator):
    old, young = utcnow() - timedelta(days=400), utcnow() - timedelta(days=10)
    sealed = make_item(org.org_id, "旧的谣言", created_at=old, decided_at=old, data=png("red"), mime="image/png")
    gone = make_item(org.org_id, "旧的普通内容", created_at=old, decided_at=old, data=png("green"), mime="image/png")
    kept = make_item(org.org_id, "新的内容", created_at=young, decided_at=young)
    decide(sealed.item_id, moderator["user_id"], fabricated=True)
    submit_all(rt, sealed.item_id)
    with rt.db.session() as s:
        audit.record(s, "x", "something")
        old_entry_count = len(s.scalars(select(AuditEntry.seq)).all())
    out = purge(rt)  # default periods: content 183 days, logs 183, reports 3 years
    assert out["item_contents_removed"] == 1 and out["item_contents_kept_sealed"] == 1
    assert out["blobs_removed"] == 1 and out["audit_entries_removed"] == 0  # every entry is young
    with rt.db.session() as s:
        assert s.get(Item, gone.item_id).text is None and s.get(Item, gone.item_id).deleted_at
        assert s.get(Item, kept.item_id).text == "新的内容"
        assert s.get(Item, sealed.item_id).blob_sha256 is not None
        assert s.scalar(select(RegulatorReport).where(RegulatorReport.item_id == sealed.item_id)).status == "submitted"
        assert audit.verify(s).ok
    # far in the future: the audit log is pruned to a checkpoint, the sealed report still stays
    later = purge(rt, now=utcnow() + timedelta(days=5000))
    assert later["audit_entries_removed"] >= old_entry_count and later["regulator_reports_kept"] == 1
    with rt.db.session() as s:
        assert audit.verify(s).ok
        assert s.scalar(select(RegulatorReport).where(RegulatorReport.item_id == sealed.item_id)) is not None
        assert s.get(Item, sealed.item_id).blob_sha256 is not None


def test_purge_dry_run_changes_nothing(rt, org, make_item):
    old = utcnow() - timedelta(days=400)
    made = make_item(org.org_id, "旧内容", created_at=old, decided_at=old)
    out = purge(rt, dry_run=True)
    assert out["item_contents_removed"] == 1
    with rt.db.session() as s:
        assert s.get(Item, made.item_id).text == "旧内容"
