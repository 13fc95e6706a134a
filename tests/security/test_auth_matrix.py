"""Every endpoint's authentication and role matrix, one row per endpoint.

Each row says, for each kind of caller, what must happen: ``OK`` (2xx), ``ALLOWED`` (past
authentication and authorisation: not 401/403 and not 5xx; used where the body refers to
something that need not exist, such as a task id), or an exact status (401, 403, 404).
Adding an endpoint is adding one line.

Rows with ``awaits`` are contract endpoints (DESIGN.md) that another branch brings. Where the
route exists they are checked like any other row. Where it does not: under CI (``CI`` set, as
`.ci/run` runs) the test FAILS, because main must have every contract route; elsewhere it is an
expected failure that names the branch it waits for.
"""

from __future__ import annotations

import os
import uuid
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
    path: str  # {item}: the organisation's item; {org}: its id; {task}: a random task id
    expect: dict = field(hash=False)
    body: dict | None = field(default=None, hash=False)
    awaits: str | None = None  # the branch that brings a contract route not yet on main

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
    # -- contract endpoints brought by other branches (checked once the route exists; FAIL in CI if missing)
    Row("POST", "/v1/review/claim", rule({"moderator": ALLOWED, "senior_moderator": ALLOWED, "admin": ALLOWED}),
        awaits="review"),
    Row("POST", "/v1/review/tasks/{task}/decision",
        rule({"moderator": ALLOWED, "senior_moderator": ALLOWED, "admin": ALLOWED}),
        body={"decision": "pass", "categories": [], "fabricated": False, "note": "矩阵"}, awaits="review"),
    Row("POST", "/v1/complaints", rule({"org": ALLOWED, "other_org": 404, **{s: ALLOWED for s in STAFF},
                                        "org_admin": ALLOWED, "org_member": ALLOWED}),
        body={"item_id": "{item}", "reason": "侵犯我的著作权"}, awaits="review"),
    Row("POST", "/v1/appeals", rule({"org": ALLOWED, "other_org": 404, "org_admin": ALLOWED}),
        body={"item_id": "{item}", "reason": "这条内容没有违规"}, awaits="review"),
    # Regulator reports are compliance staff's alone (issue 8): not even a platform admin reads them.
    Row("GET", "/v1/reports/regulator?format=json", rule({"compliance": OK}), awaits="compliance"),
    Row("GET", "/v1/reports/regulator?format=csv", rule({"compliance": OK}), awaits="compliance"),
    Row("GET", "/v1/reports/violations?format=json", rule({"compliance": OK, "admin": OK}), awaits="compliance"),
    Row("GET", "/v1/reports/violations?format=csv", rule({"compliance": OK, "admin": OK}), awaits="compliance"),
]


def fill(template: str, ctx: dict, task: str) -> str:
    return (template.replace("{item}", ctx["item"]).replace("{org}", ctx["org"].org_id).replace("{task}", task)
            .replace("{term}", "矩阵词"))


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
    task = uuid.uuid4().hex
    path = fill(row.path, principals, task)
    if not route_exists(app, row.method, path):
        message = f"{row.id} is a contract route (DESIGN.md) and is not on this app"
        if row.awaits is None or os.environ.get("CI"):
            pytest.fail(message + (f"; it comes with the {row.awaits!r} branch" if row.awaits else ""))
        pytest.xfail(message + f"; awaiting the {row.awaits!r} branch (this fails under CI)")
    assert set(row.expect) == set(CALLERS), f"{row.id}: the row must say what happens to every caller"
    wrong = []
    for caller in CALLERS:
        body = None
        if row.body is not None:
            body = {k: fill(v, principals, task) if isinstance(v, str) else v for k, v in row.body.items()}
        r = client.request(row.method, path, json=body, headers=principals["headers"][caller])
        expected = row.expect[caller]
        if not meets(expected, r.status_code):
            wrong.append(f"{caller}: expected {expected}, got {r.status_code} {r.text[:100]!r}")
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), (caller, r.headers)
        if r.status_code == 401:
            assert r.headers.get("www-authenticate") == "Bearer"
    assert not wrong, f"{row.id}:\n  " + "\n  ".join(wrong)


# Routes added by the review and compliance packages whose rows are still to be written; each has
# role tests in tests/review and tests/reports. The list may only shrink: a route that disappears
# or gets a row must leave it, and any other route without a row fails.
ROWS_TO_WRITE = {
    "GET /v1/complaints/{complaint_id}", "GET /v1/appeals", "GET /v1/appeals/{appeal_id}",
    "GET /v1/review/tasks/{task_id}", "POST /v1/review/tasks/{task_id}/release", "GET /v1/review/queues",
    "GET /v1/strikes", "POST /v1/strikes/{strike_id}/lift", "GET /v1/reports/regulator/{report_id}.pdf",
    "GET /v1/reports/regulator/{report_id}", "PATCH /v1/reports/regulator/{report_id}",
    "POST /v1/reports/regulator/{report_id}/submit", "POST /v1/reports/regulator/{report_id}/acknowledge",
    "POST /v1/reports/regulator/{report_id}/discard", "POST /v1/reports/regulator/{report_id}/versions",
    "GET /v1/reports/regulator/{report_id}/versions", "GET /v1/reports/regulator/{report_id}/evidence/{sha256}",
    "GET /v1/reports/items/{item_id}", "GET /v1/reports/violations/chart/{kind}.svg",
    "GET /v1/orgs/{org_id}/violations", "GET /v1/orgs/{org_id}/violations/chart/{kind}.svg",
    "POST /v1/orgs/{org_id}/deletion", "GET /v1/orgs/{org_id}/deletions", "GET /v1/audit", "GET /v1/audit/verify",
}


def test_every_route_on_the_app_has_a_row(app):
    """A new endpoint without a row in the matrix fails here, so its access rules get written down."""
    documented = {(r.method, r.path.split("?")[0]) for r in ROWS}
    missing = []
    for path, ops in app.openapi()["paths"].items():
        normal = path.replace("{item_id}", "{item}").replace("{org_id}", "{org}").replace("{task_id}", "{task}")
        for method in ops:
            if (method.upper(), normal) not in documented:
                missing.append(f"{method.upper()} {path}")
    assert not set(missing) - ROWS_TO_WRITE, f"routes with no row in the auth matrix: {sorted(set(missing) - ROWS_TO_WRITE)}"
    assert not ROWS_TO_WRITE - set(missing), f"remove from ROWS_TO_WRITE: {sorted(ROWS_TO_WRITE - set(missing))}"
