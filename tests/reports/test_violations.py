"""Violation reports: counts by organisation, account, category, source and period; CSV; SVG charts."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from tests.reports.helpers import auth

SVG = "{http://www.w3.org/2000/svg}"


def at(day: int) -> datetime:
    return datetime(2026, 10, day, 12, 0, tzinfo=timezone.utc)


def cat(slug: str, score: float = 0.95) -> dict:
    return {"category": slug, "score": score, "evidence": []}


@pytest.fixture
def seeded(rt, make_org, make_item, decide, moderator):
    a, b = make_org("甲"), make_org("<script>alert(1)</script>乙")
    made = {
        "a_rule": make_item(a.org_id, "加微信领红包", user_id="u1", decision="block", source="rule",
                            categories=[cat("spam_ads_sexual"), cat("porn_gambling_violence", 0.2)], decided_at=at(1)),
        "a_model": make_item(a.org_id, "谣言", user_id="u1", decision="block", source="model",
                             categories=[cat("rumor_disorder", 0.93)], decided_at=at(1)),
        "a_hash": make_item(a.org_id, None, user_id="u2", decision="block", source="hash",
                            categories=[cat("porn_gambling_violence", 1.0)], decided_at=at(3)),
        "a_pass": make_item(a.org_id, "志愿者招募", user_id="u2", decision="pass", source=None,
                            categories=[], decided_at=at(3)),
        "b_mod": make_item(b.org_id, "辱骂他人", user_id="v1", decision="review", source="model",
                           categories=[cat("insult_defamation_privacy", 0.6)], decided_at=at(4)),
    }
    decide(made["b_mod"].item_id, moderator["user_id"], categories=["insult_defamation_privacy", "rumor_disorder"],
           at=at(5))
    return a, b, made


def test_totals_by_category_source_org_and_day(client, compliance, seeded):
    a, b, made = seeded
    body = client.get("/v1/reports/violations?since=2026-10-01&until=2026-10-08", headers=auth(compliance)).json()
    assert body["total_items"] == 4  # the passed item is no violation
    assert body["by_category"] == {"spam_ads_sexual": 1, "rumor_disorder": 2, "porn_gambling_violence": 1,
                                   "insult_defamation_privacy": 1}
    assert body["by_source"] == {"rule": 1, "hash": 1, "model": 1, "moderator": 1}
    assert {o["org_id"]: o["items"] for o in body["by_org"]} == {a.org_id: 3, b.org_id: 1}
    assert {(x["org_id"], x["account"]): x["items"] for x in body["by_account"]}[(a.org_id, "u1")] == 2
    series = {p["period"]: p["items"] for p in body["series"]}
    assert list(series) == [f"2026-10-0{d}" for d in range(1, 8)]  # every day, empty ones too
    assert series["2026-10-01"] == 2 and series["2026-10-02"] == 0 and series["2026-10-05"] == 1


def test_filters(client, compliance, seeded):
    a, b, made = seeded
    h = auth(compliance)

    def total(q):
        r = client.get(f"/v1/reports/violations?{q}", headers=h)
        assert r.status_code == 200, r.text
        return r.json()["total_items"]

    assert total(f"org_id={a.org_id}") == 3
    assert total("account=u1") == 2
    assert total("category=rumor_disorder") == 2
    assert total("source=moderator") == 1
    assert total("since=2026-10-02&until=2026-10-04") == 1
    assert total(f"org_id={b.org_id}&category=spam_ads_sexual") == 0
    month = client.get("/v1/reports/violations?bucket=month", headers=h).json()["series"]
    assert month == [{"period": "2026-10", "items": 4, "by_category": {
        "spam_ads_sexual": 1, "rumor_disorder": 2, "porn_gambling_violence": 1, "insult_defamation_privacy": 1}}]
    for bad in ("category=not_a_category", "source=oracle", "bucket=year", "since=yesterday",
                "since=2026-10-05&until=2026-10-01"):
        r = client.get(f"/v1/reports/violations?{bad}", headers=h)
        assert r.status_code == 400, bad
        assert r.headers["content-type"].startswith("application/problem+json")


def test_csv_export(client, compliance, seeded):
    r = client.get("/v1/reports/violations?format=csv", headers=auth(compliance))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 5  # one row per (item, category): the moderator confirmed two categories
    assert {row["source"] for row in rows} == {"rule", "hash", "model", "moderator"}
    assert {row["clause"] for row in rows if row["category"] == "rumor_disorder"} == {"5.2.2(8)"}


def test_charts_are_svg_drawn_here(client, compliance, seeded):
    h = auth(compliance)
    trend = client.get("/v1/reports/violations/chart/trend.svg?since=2026-10-01&until=2026-10-08", headers=h)
    assert trend.status_code == 200 and trend.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(trend.text)
    assert root.tag == f"{SVG}svg"
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "2026-10-01 spam_ads_sexual: 1" in titles and "2026-10-05 rumor_disorder: 1" in titles
    assert "http" not in trend.text.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
    org_chart = client.get("/v1/reports/violations/chart/org.svg", headers=h)
    ET.fromstring(org_chart.text)  # the organisation's name is escaped, the SVG stays well-formed
    assert "<script>" not in org_chart.text and "&lt;script&gt;" in org_chart.text
    assert client.get("/v1/reports/violations/chart/pie.svg", headers=h).status_code == 400
