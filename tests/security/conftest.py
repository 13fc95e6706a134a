"""Principals for the security tests: two organisations and one staff member of every role."""

from __future__ import annotations

import pytest


@pytest.fixture
def principals(make_org, make_staff, client):
    a, b = make_org("甲基金会"), make_org("乙基金会")
    heads = {
        "anonymous": {},
        "bad_token": {"Authorization": "Bearer mpk_not-a-real-key"},
        "org": a.headers,
        "other_org": b.headers,
        "moderator": make_staff("mod1", "moderator"),
        "senior_moderator": make_staff("senior1", "senior_moderator"),
        "compliance": make_staff("comp1", "compliance"),
        "admin": make_staff("admin1", "admin"),
        "org_admin": make_staff("orgadmin1", "org_admin", org_id=a.org_id),
        "org_member": make_staff("orgmember1", "org_member", org_id=a.org_id),
    }
    heads = {k: {h: v for h, v in d.items() if h == "Authorization"} for k, d in heads.items()}
    item = client.post("/v1/items", json={"external_id": "sec-1", "text": "甲组织的投稿"}, headers=a.headers).json()["id"]
    other_item = client.post("/v1/items", json={"external_id": "sec-1", "text": "乙组织的投稿"},
                             headers=b.headers).json()["id"]
    return {"headers": heads, "org": a, "other_org": b, "item": item, "other_item": other_item}
