"""Every endpoint's authentication and role matrix, one row per endpoint.

Each row says, for each kind of caller, what must happen: ``OK`` (2xx), ``ALLOWED`` (past
authentication and authorisation: not 401/403 and not 5xx; used where the body refers to
something that need not exist, such as a task id), or an exact status (401, 403, 404).
Adding an endpoint is adding one line.

A row whose route is not on the app fails: every contract route (DESIGN.md) must be there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from starlette.routing import Match

OK, ALLOWED = "ok", "allowed"
CALLERS = ("anonymous", "bad_token", "org", "other_org", "moderator", "senior_moderator", "compliance", "admin",
           "org_admin", "org_member")
STAFF = ("moderator", "senior_moderator", "compliance", "admin")


def rule(allowed: dict[str, str | int], otherwise: int = 403) -> dict[str, str | int]:
    """Anonymous and bad tokens get 401; the named callers get their outcome; everyone else ``otherwise``."""
    out: dict[str, str | int] = {c: otherwise for c in CALLERS}
    out.update(anonymous=401, bad_token=401)
    out.update(allowed)
    return out


PUBLIC = {c: OK for c in CALLERS}


@dataclass(frozen=True)
class Row:
    method: str
    # {item}: the organisation's item (queued); {org}: its id; {task}: an open review task on its
    # reviewed item; {complaint_id}, {appeal_id}, {strike_id}, {report_id}, {sha256}: that item's
    # records (tests/security/conftest.py); {kind}: a chart
    path: str
    expect: dict = field(hash=False)
    body: dict | None = field(default=None, hash=False)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROWS = [
    Row("GET", "/healthz", PUBLIC),
    Row("GET", "/readyz", PUBLIC),
    Row("GET", "/metrics", PUBLIC),  # aggregate counts only, no organisation appears (see test_isolation)
    Row("POST", "/v1/items", rule({"org": OK, "other_org": OK}), body={"text": "矩阵测试"}),
    Row("GET", "/v1/items/{item}", rule({"org": OK, "other_org": 404, **{s: OK for s in STAFF},
                                         "org_admin": OK, "org_member": OK})),
    Row("GET", "/v1/items/{item}/labeled", rule({"org": OK, "other_org": 404, **{s: OK for s in STAFF},
                                                 "org_admin": OK, "org_member": OK})),
    Row("GET", "/v1/orgs/{org}/terms", rule({"org": OK, "admin": OK, "org_admin": OK})),
    Row("POST", "/v1/orgs/{org}/terms", rule({"org": OK, "admin": OK, "org_admin": OK}),
        body={"terms": [{"term": "矩阵词", "action": "review"}]}),
    Row("DELETE", "/v1/orgs/{org}/terms/{term}", rule({"org": ALLOWED, "admin": ALLOWED, "org_admin": ALLOWED})),
    # -- review and compliance contract endpoints (DESIGN.md)
    Row("POST", "/v1/review/claim", rule({"moderator": ALLOWED, "senior_moderator": ALLOWED, "admin": ALLOWED})),
    Row("POST", "/v1/review/tasks/{task}/decision",
        rule({"moderator": ALLOWED, "senior_moderator": ALLOWED, "admin": ALLOWED}),
        body={"decision": "pass", "categories": [], "fabricated": False, "note": "矩阵"}),
    Row("POST", "/v1/complaints", rule({"org": ALLOWED, "other_org": 404, **{s: ALLOWED for s in STAFF},
                                        "org_admin": ALLOWED, "org_member": ALLOWED}),
        body={"item_id": "{item}", "reason": "侵犯我的著作权"}),
    Row("POST", "/v1/appeals", rule({"org": ALLOWED, "other_org": 404, "org_admin": ALLOWED}),
        body={"item_id": "{item}", "reason": "这条内容没有违规"}),
    # Regulator reports are compliance staff's alone (issue 8): not even a platform admin reads them.
    Row("GET", "/v1/reports/regulator?format=json", rule({"compliance": OK})),
    Row("GET", "/v1/reports/regulator?format=csv", rule({"compliance": OK})),
    Row("GET", "/v1/reports/violations?format=json", rule({"compliance": OK, "admin": OK})),
    Row("GET", "/v1/reports/violations?format=csv", rule({"compliance": OK, "admin": OK})),
    # -- review: complaints, appeals, tasks, strikes (review_queue/api.py)
    # Complaints and appeals are the organisation's own (its key and its people) and platform staff's.
    Row("GET", "/v1/complaints/{complaint_id}", rule({"org": OK, "other_org": 404, **{s: OK for s in STAFF},
                                                      "org_admin": OK, "org_member": OK})),
    Row("GET", "/v1/appeals/{appeal_id}", rule({"org": OK, "other_org": 404, **{s: OK for s in STAFF},
                                                "org_admin": OK, "org_member": OK})),
    Row("GET", "/v1/appeals", rule({"org": OK, "other_org": OK, **{s: OK for s in STAFF},  # each sees its own
                                    "org_admin": OK, "org_member": OK})),
    # Review tasks show the content: platform staff only; releasing one is for those who claim.
    Row("GET", "/v1/review/tasks/{task}", rule({s: OK for s in STAFF})),
    Row("POST", "/v1/review/tasks/{task}/release",  # 409: nobody holds the task
        rule({"moderator": ALLOWED, "senior_moderator": ALLOWED, "admin": ALLOWED})),
    Row("GET", "/v1/review/queues", rule({s: OK for s in STAFF})),
    Row("GET", "/v1/strikes?user_id=u-matrix&org_id={org}",
        rule({"org": OK, "other_org": 404, **{s: OK for s in STAFF}, "org_admin": OK, "org_member": OK})),
    Row("POST", "/v1/strikes/{strike_id}/lift", rule({"admin": OK}), body={"reason": "矩阵：误判"}),
    # -- compliance (reports/api.py): regulator reports are compliance staff's alone
    Row("GET", "/v1/reports/regulator/{report_id}", rule({"compliance": OK})),
    Row("GET", "/v1/reports/regulator/{report_id}.pdf", rule({"compliance": OK})),
    Row("PATCH", "/v1/reports/regulator/{report_id}", rule({"compliance": OK}), body={"summary": "矩阵摘要"}),
    Row("POST", "/v1/reports/regulator/{report_id}/submit", rule({"compliance": OK})),
    Row("POST", "/v1/reports/regulator/{report_id}/acknowledge",  # 409: a draft is not acknowledged
        rule({"compliance": ALLOWED}), body={"regulator_ref": "网信-矩阵-1"}),
    Row("POST", "/v1/reports/regulator/{report_id}/discard", rule({"compliance": OK}), body={"reason": "矩阵"}),
    Row("POST", "/v1/reports/regulator/{report_id}/versions",  # 409: a draft is edited, not versioned
        rule({"compliance": ALLOWED}), body={"reason": "更正", "changes": {"summary": "矩阵"}}),
    Row("GET", "/v1/reports/regulator/{report_id}/versions", rule({"compliance": OK})),
    Row("GET", "/v1/reports/regulator/{report_id}/evidence/{sha256}", rule({"compliance": OK})),
    Row("GET", "/v1/reports/items/{item}", rule({"compliance": OK})),
    Row("GET", "/v1/reports/violations/chart/{kind}.svg", rule({"compliance": OK, "admin": OK})),
    # An organisation's own violations and deletions: its admin (a person, not the key), compliance, admin.
    Row("GET", "/v1/orgs/{org}/violations", rule({"compliance": OK, "admin": OK, "org_admin": OK})),
    Row("GET", "/v1/orgs/{org}/violations/chart/{kind}.svg",
        rule({"compliance": OK, "admin": OK, "org_admin": OK})),
    Row("GET", "/v1/orgs/{org}/deletions", rule({"compliance": OK, "admin": OK, "org_admin": OK})),
    Row("POST", "/v1/orgs/{org}/deletion", rule({"admin": OK, "org_admin": OK}),
        body={"item_ids": ["{item}"]}),
    Row("GET", "/v1/audit", rule({"compliance": OK, "admin": OK})),
    Row("GET", "/v1/audit/verify", rule({"compliance": OK, "admin": OK})),
]


def fill(template, ctx: dict):
    """``template`` (a path, or a body value: strings, lists, dicts) with its placeholders filled."""
    if isinstance(template, list):
        return [fill(v, ctx) for v in template]
    if isinstance(template, dict):
        return {k: fill(v, ctx) for k, v in template.items()}
    if not isinstance(template, str):
        return template
    values = {"item": ctx["item"], "org": ctx["org"].org_id, "term": "矩阵词", "kind": "trend", **ctx["records"]}
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def route_exists(app, method: str, path: str) -> bool:
    scope = {"type": "http", "method": method, "path": path.split("?")[0]}
    return any(r.matches(scope)[0] is Match.FULL for r in app.routes)


def meets(expected, status: int) -> bool:
    if expected == OK:
        return 200 <= status < 300
    if expected == ALLOWED:
        return status not in (401, 403) and status < 500
    return status == expected


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_endpoint_auth_matrix(row, app, client, principals):
    path = fill(row.path, principals)
    if not route_exists(app, row.method, path):
        pytest.fail(f"{row.id} has a row in the matrix but is not a route on this app")
    assert set(row.expect) == set(CALLERS), f"{row.id}: the row must say what happens to every caller"
    wrong = []
    for caller in CALLERS:
        body = fill(row.body, principals)
        r = client.request(row.method, path, json=body, headers=principals["headers"][caller])
        expected = row.expect[caller]
        if not meets(expected, r.status_code):
            wrong.append(f"{caller}: expected {expected}, got {r.status_code} {r.text[:100]!r}")
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), (caller, r.headers)
        if r.status_code == 401:
            assert r.headers.get("www-authenticate") == "Bearer"
    assert not wrong, f"{row.id}:\n  " + "\n  ".join(wrong)


def test_every_route_on_the_app_has_a_row(app):
    """A new endpoint without a row in the matrix fails here, so its access rules get written down."""
    documented = {(r.method, r.path.split("?")[0]) for r in ROWS}
    missing = []
    for path, ops in app.openapi()["paths"].items():
        normal = path.replace("{item_id}", "{item}").replace("{org_id}", "{org}").replace("{task_id}", "{task}")
        for method in ops:
            if (method.upper(), normal) not in documented:
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"routes with no row in the auth matrix: {sorted(missing)}"
