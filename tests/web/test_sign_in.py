"""Web sign-in: argon2 passwords, server-side sessions, CSRF on every form, roles, safe redirects."""

from __future__ import annotations

import re

import pytest
from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import select

from modpipe.accounts import Principal, Role
from modpipe.models import StaffUser
from modpipe.web.auth import web_user
from modpipe.web.csrf import csrf_token
from reports.models import AuditEntry


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str, next: str = "/"):
    page = client.get(f"/login?next={next}")
    assert page.status_code == 200
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)


@pytest.fixture
def pages(app):
    """Two tiny pages guarded by web_user, as other packages write theirs."""

    @app.get("/t/mod")
    def mod_page(p: Principal = Depends(web_user(Role.MODERATOR))):
        return PlainTextResponse(f"hello {p.username} {p.role.value}")

    @app.post("/t/mod")
    def mod_post(p: Principal = Depends(web_user(Role.MODERATOR))):
        return PlainTextResponse("posted")

    return app


def test_signing_in_with_the_right_password_opens_a_session(client, make_staff, pages, rt):
    make_staff("mia", "moderator", password="correct horse battery")
    with rt.db.session() as s:
        stored = s.scalar(select(StaffUser.password_hash).where(StaffUser.username == "mia"))
    assert stored.startswith("$argon2")
    r = sign_in(client, "mia", "correct horse battery", next="/t/mod")
    assert r.status_code == 303 and r.headers["location"] == "/t/mod"
    cookie = r.headers["set-cookie"]
    assert "mp_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/t/mod").text == "hello mia moderator"
    with rt.db.session() as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.actor == "mia")) == "web.sign_in"


def test_wrong_password_or_unknown_user_is_refused_the_same_way(client, make_staff):
    make_staff("mia", "moderator", password="correct horse battery")
    for user, pw in (("mia", "wrong"), ("nobody", "correct horse battery")):
        r = sign_in(client, user, pw)
        assert r.status_code == 401
        assert "do not match" in r.text
        assert "mp_session" not in r.headers.get("set-cookie", "")


def test_not_signed_in_is_sent_to_the_sign_in_page(client, pages):
    r = client.get("/t/mod?x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/t/mod%3Fx%3D1"
    # a script (JSON) gets a 401 problem instead of a redirect
    r = client.get("/t/mod", headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


def test_the_wrong_role_gets_403(client, make_staff, pages):
    make_staff("cora", "compliance", password="pw-cora-123")
    sign_in(client, "cora", "pw-cora-123")
    r = client.get("/t/mod")
    assert r.status_code == 403
    assert "moderator" in r.text and "compliance" in r.text


def test_posts_need_the_session_csrf_token(client, make_staff, pages):
    make_staff("mia", "moderator", password="pw-mia-123")
    sign_in(client, "mia", "pw-mia-123")
    assert client.post("/t/mod", data={}).status_code == 403
    assert client.post("/t/mod", data={"csrf_token": "forged"}).status_code == 403
    token = _session_token(client)
    assert client.post("/t/mod", data={"csrf_token": token}).text == "posted"
    assert client.post("/t/mod", headers={"X-CSRF-Token": token}).text == "posted"


def test_sign_in_form_itself_needs_its_csrf_cookie(client, make_staff):
    make_staff("mia", "moderator", password="pw-mia-123")
    r = client.post("/login", data={"username": "mia", "password": "pw-mia-123", "csrf_token": "x"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert "mp_session" not in r.headers.get("set-cookie", "")


def test_sign_out_ends_the_session_on_the_server(client, make_staff, pages):
    make_staff("mia", "moderator", password="pw-mia-123")
    sign_in(client, "mia", "pw-mia-123")
    stolen = client.cookies.get("mp_session")
    home = client.get("/", follow_redirects=False)  # one page for a moderator: straight to /review
    assert home.status_code == 303 and home.headers["location"] == "/review"
    assert client.get("/login?next=/t/mod", follow_redirects=False).headers["location"] == "/t/mod"
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    r = client.post("/logout", data={"csrf_token": _session_token(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.set("mp_session", stolen)
    assert client.get("/t/mod", follow_redirects=False).status_code == 303  # the old cookie is dead


def _session_token(client) -> str:
    r = client.get("/t/whoami-token")
    return r.text


@pytest.fixture(autouse=True)
def token_page(app):
    """A page that prints the session's CSRF token, as a template would see it."""
    @app.get("/t/whoami-token")
    def whoami(request: Request, p: Principal = Depends(web_user())):
        return PlainTextResponse(csrf_token(request))


def test_deactivated_users_lose_their_session(client, make_staff, pages, rt):
    make_staff("mia", "moderator", password="pw-mia-123")
    sign_in(client, "mia", "pw-mia-123")
    assert client.get("/t/mod").status_code == 200
    with rt.db.session() as s:
        s.scalar(select(StaffUser).where(StaffUser.username == "mia")).active = False
    assert client.get("/t/mod", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client, make_staff, target):
    make_staff("mia", "moderator", password="pw-mia-123")
    r = sign_in(client, "mia", "pw-mia-123", next=target)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_pages_carry_a_strict_content_security_policy_and_local_assets(client):
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in re.sub(r'action="[^"]*"', "", r.text.split("<main>")[0]).replace("http-equiv", "")
    assert client.get("/static/modpipe.css").status_code == 200
    assert client.get("/static/modpipe.js").headers["content-type"].startswith(("text/javascript",
                                                                                 "application/javascript"))
    assert client.get("/static/../modpipe/settings.py").status_code == 404


def test_one_sign_in_does_not_open_another_users_session(client, make_staff, pages):
    make_staff("mia", "moderator", password="pw-mia-123")
    make_staff("cora", "compliance", password="pw-cora-123")
    sign_in(client, "mia", "pw-mia-123")
    first = client.cookies.get("mp_session")
    client.cookies.clear()
    token = csrf_from(client.get("/login").text)
    pre = client.cookies.get("mp_csrf")
    client.cookies.clear()
    # someone else signs in on the same browser, whose cookie jar still holds the first session
    r = client.post("/login", data={"username": "cora", "password": "pw-cora-123", "csrf_token": token},
                    headers={"cookie": f"mp_session={first}; mp_csrf={pre}"}, follow_redirects=False)
    assert r.status_code == 303
    new = re.search(r"mp_session=([^;]+)", r.headers["set-cookie"]).group(1)
    assert new != first
    client.cookies.clear()
    client.cookies.set("mp_session", first)
    assert client.get("/t/mod", follow_redirects=False).status_code == 303  # rotated away at sign-in
    client.cookies.clear()
    client.cookies.set("mp_session", new)
    assert client.get("/t/mod").status_code == 403  # cora is compliance


def test_repeated_wrong_passwords_lock_that_username_for_a_while_even_with_the_right_one(client, make_staff, rt):
    from modpipe.web import throttle

    make_staff("mia", "moderator", password="correct horse battery")
    make_staff("max", "moderator", password="another good phrase")
    for _ in range(throttle.USER_FAILURES):
        assert sign_in(client, "mia", "guess").status_code == 401
    r = sign_in(client, "MIA ", "correct horse battery")  # the right password, the same account
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= throttle.WINDOW_S
    assert "mp_session=" not in r.headers.get("set-cookie", "") and "Too many failed sign-ins" in r.text
    assert sign_in(client, "max", "another good phrase").status_code == 303  # others are not locked out
    rt.broker.client.delete(*rt.broker.client.keys(f"{rt.broker.namespace}:signin-fail:user:*"))
    client.cookies.clear()
    assert sign_in(client, "mia", "correct horse battery").status_code == 303  # once the window is over


def test_a_good_password_resets_the_count_and_one_address_guessing_many_names_is_stopped(client, make_staff):
    from modpipe.web import throttle

    make_staff("mia", "moderator", password="correct horse battery")
    for _ in range(2):
        for _ in range(throttle.USER_FAILURES - 1):
            assert sign_in(client, "mia", "guess").status_code == 401
        assert sign_in(client, "mia", "correct horse battery").status_code == 303  # not 429: the count restarted
        client.cookies.clear()
    failed_so_far = 2 * (throttle.USER_FAILURES - 1)  # the address counts every failure from it
    for i in range(throttle.ADDRESS_FAILURES - failed_so_far):
        assert sign_in(client, f"user{i}", "guess").status_code == 401
    assert sign_in(client, "somebody-new", "guess").status_code == 429
