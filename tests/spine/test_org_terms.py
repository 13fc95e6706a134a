"""Organisations manage their own terms through the API; workers see changes without a restart."""

from __future__ import annotations

from modpipe.orgterms import OrgTermWatcher


def test_org_manages_its_terms_and_versions_move(client, org, make_org, make_staff, rt):
    url = f"/v1/orgs/{org.org_id}/terms"
    r = client.post(url, json={"terms": [{"term": "某某团购", "action": "block"}, {"term": "义卖", "action": "allow"}]},
                    headers=org.headers)
    assert r.status_code == 200 and r.json()["version"] == 1
    body = client.get(url, headers=org.headers).json()
    assert {(t["term"], t["action"]) for t in body["terms"]} == {("某某团购", "block"), ("义卖", "allow")}
    # the same term again changes its action
    assert client.post(url, json={"terms": [{"term": "某某团购", "action": "review"}]}, headers=org.headers).json()["version"] == 2
    assert client.delete(f"{url}/义卖", headers=org.headers).json()["version"] == 3
    assert client.delete(f"{url}/义卖", headers=org.headers).status_code == 404
    # another organisation, and a moderator, may not touch them
    other = make_org("别的机构")
    assert client.get(url, headers=other.headers).status_code == 403
    assert client.post(url, json={"terms": [{"term": "x", "action": "block"}]},
                       headers={k: v for k, v in make_staff("m1", "moderator").items() if k != "user_id"}).status_code == 403
    # bad input is a clear 4xx
    r = client.post(url, json={"terms": [{"term": "x", "action": "delete-everything"}]}, headers=org.headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_watcher_sees_changes_without_restart(client, org, rt):
    watcher = OrgTermWatcher(rt.db, ttl_s=0)
    assert watcher.current(org.org_id) is None  # nothing yet
    client.post(f"/v1/orgs/{org.org_id}/terms", json={"terms": [{"term": "某某团购", "action": "block"}]},
                headers=org.headers)
    version, terms = watcher.current(org.org_id)
    assert version == 1 and terms[0].term == "某某团购"
    assert watcher.current(org.org_id) is None  # unchanged since
    client.delete(f"/v1/orgs/{org.org_id}/terms/某某团购", headers=org.headers)
    version, terms = watcher.current(org.org_id)
    assert version == 2 and terms == []
