"""Organisation isolation: another organisation's item, its existence, and its counts never show."""

from __future__ import annotations

import uuid


def test_another_orgs_item_looks_exactly_like_no_item(client, principals):
    other = principals["headers"]["other_org"]
    for suffix in ("", "/labeled"):
        theirs = client.get(f"/v1/items/{principals['item']}{suffix}", headers=other)
        nothing = client.get(f"/v1/items/{uuid.uuid4().hex}{suffix}", headers=other)
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json()["title"] == nothing.json()["title"]
        assert "甲组织" not in theirs.text
        assert set(theirs.headers) - {"content-length"} == set(nothing.headers) - {"content-length"}


def test_same_external_id_in_two_orgs_stays_two_items(client, principals):
    # the fixture posted "sec-1" in both organisations
    assert principals["item"] != principals["other_item"]
    mine = client.get(f"/v1/items/{principals['item']}", headers=principals["headers"]["org"]).json()
    assert mine["external_id"] == "sec-1"
    # org A re-sending its external id gets its own item back, never B's
    again = client.post("/v1/items", json={"external_id": "sec-1", "text": "重发"},
                        headers=principals["headers"]["org"]).json()
    assert again["id"] == principals["item"]


def test_org_scoped_staff_see_only_their_organisation(client, principals, make_staff):
    b = principals["other_org"]
    b_admin = make_staff("b-admin", "org_admin", org_id=b.org_id)
    h = {"Authorization": b_admin["Authorization"]}
    assert client.get(f"/v1/items/{principals['item']}", headers=h).status_code == 404
    assert client.get(f"/v1/items/{principals['other_item']}", headers=h).status_code == 200
    assert client.get(f"/v1/orgs/{principals['org'].org_id}/terms", headers=h).status_code == 403


def test_metrics_carry_no_organisation(client, principals):
    text = client.get("/metrics").text
    for secret in (principals["org"].org_id, principals["other_org"].org_id, principals["item"], "甲", "乙"):
        assert secret not in text
