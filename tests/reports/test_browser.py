"""The compliance pages in headless Chromium (Debian's): sign in, work a report through the
workflow with the buttons, read the charts and the audit verification."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(app):
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_compliance_officer_works_a_report(live, browser, org, make_item, decide, moderator, make_staff, tmp_path):
    made = make_item(org.org_id, "网传：某地化工厂爆炸，毒气扩散（虚假）", user_id="zhao", real_name="赵六")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    make_item(org.org_id, "加微信领红包", decision="block", source="rule",
              categories=[{"category": "spam_ads_sexual", "score": 0.97, "evidence": []}])
    make_staff("cora", "compliance", password="cora-password-1")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    sign_in(page, live, "cora", "cora-password-1")
    page.goto(f"{live}/compliance")
    row = page.locator("#reports tbody tr").first
    assert "5.2.5" in row.inner_text() and "draft" in row.inner_text()
    row.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("#content-text").inner_text() == "网传：某地化工厂爆炸，毒气扩散（虚假）"
    assert page.locator("#integrity").inner_text() == "ok"

    page.fill("textarea[name=summary]", "编造化工厂爆炸谣言")
    page.click("#save")
    page.wait_for_load_state()
    assert page.locator("textarea[name=summary]").input_value() == "编造化工厂爆炸谣言"

    page.click("#submit")
    page.wait_for_load_state()
    assert page.locator("#report-status").inner_text() == "submitted"
    assert page.locator("#edit-form").count() == 0  # nothing left to edit

    page.click("#acknowledge")  # the reference is required: the browser refuses the empty field
    assert page.locator("#report-status").inner_text() == "submitted"
    page.fill("#regulator-ref-input", "网信办-2026-0815")
    page.click("#acknowledge")
    page.wait_for_load_state()
    assert page.locator("#report-status").inner_text() == "acknowledged"
    assert page.locator("#regulator-ref").inner_text() == "网信办-2026-0815"

    page.click("details.correct summary")
    page.fill("#correct-form input[name=reason]", "处置措施补充")
    page.fill("#correct-form textarea[name=action_taken]", "删除内容并暂停账号七日")
    page.click("#correct")
    page.wait_for_load_state()
    assert "version 2" in page.locator("h1").inner_text()
    assert page.locator("#report-status").inner_text() == "draft"
    assert page.locator("#versions li").count() == 2
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

    with page.expect_download() as dl:
        page.goto(f"{live}/compliance")
        page.click("text=Export CSV")
    assert dl.value.suggested_filename == "regulator-reports.csv"

    page.goto(f"{live}/compliance/violations?bucket=day")
    assert page.locator("#total").inner_text() == "2"
    assert page.locator("#by-org tr").first.inner_text().split() == ["测试公益基金会", "2"]
    assert page.locator("figure svg").count() == 4
    assert page.locator("figure.chart-trend svg rect").count() >= 2
    page.select_option("select[name=source]", "rule")
    page.click("#apply")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "1"
    page.screenshot(path=str(tmp_path / "violations.png"), full_page=True)

    page.goto(f"{live}/compliance/audit")
    assert "chain intact" in page.locator("#verify-result").inner_text()
    assert "regulator_report.acknowledged" in page.locator("#entries").inner_text()
    assert errors == []


def test_a_moderator_is_turned_away(live, browser, make_staff):
    make_staff("mo", "moderator", password="mo-password-12")
    page = browser.new_page()
    sign_in(page, live, "mo", "mo-password-12")
    resp = page.goto(f"{live}/compliance")
    assert resp.status == 403
    assert "compliance" in page.locator("main").inner_text()


def test_an_organisation_admin_sees_only_their_own_violations(live, browser, make_org, make_item, make_staff):
    mine, other = make_org("自己的基金会"), make_org("别人的基金会")
    make_item(mine.org_id, "广告", user_id="m1", decision="block", source="rule",
              categories=[{"category": "spam_ads_sexual", "score": 0.97, "evidence": []}])
    make_item(other.org_id, "谣言", user_id="o1", decision="block", source="model")
    make_staff("oa", "org_admin", org_id=mine.org_id, password="oa-password-12")
    page = browser.new_page()
    sign_in(page, live, "oa", "oa-password-12")
    page.goto(f"{live}/org/violations")
    assert page.locator("#total").inner_text() == "1"
    assert page.locator("#by-account").inner_text().split() == ["m1", "1"]
    assert page.locator("#by-org").count() == 0 and page.locator("input[name=org_id]").count() == 0
    assert page.locator("#by-category").inner_text().split() == ["spam_ads_sexual", "1"]
    assert page.goto(f"{live}/org/violations?org_id={other.org_id}").ok  # the parameter is ignored, not obeyed
    assert page.locator("#total").inner_text() == "1"
    assert page.goto(f"{live}/compliance/violations").status == 403
    assert page.goto(f"{live}/compliance/reports/anything").status == 403


def test_an_organisation_admin_closes_the_account(live, browser, make_org, make_item, decide, moderator, make_staff):
    org = make_org("要注销的基金会")
    made = make_item(org.org_id, "编造的募捐诈骗消息", user_id="q1")
    make_item(org.org_id, "普通的活动通知", user_id="q2")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    make_staff("oa2", "org_admin", org_id=org.org_id, password="oa2-password-1")
    page = browser.new_page()
    sign_in(page, live, "oa2", "oa2-password-1")
    page.goto(f"{live}/org/data")
    page.check("#closure")
    page.fill("#confirm", "别的名字")
    page.click("#request-deletion")
    page.wait_for_load_state()
    assert "type the organisation's name" in page.locator("#error").inner_text()
    page.check("#closure")
    page.fill("#confirm", "要注销的基金会")
    page.click("#request-deletion")
    page.wait_for_load_state()
    assert page.locator("#answer h1").inner_text() == "Account closed"
    kept = page.locator("#kept").inner_text()
    assert "regulator report" in kept and made.item_id in kept and "audit log" in kept
    removed = dict(line.rsplit("\t", 1) for line in page.locator("#removed").inner_text().splitlines())
    assert removed["item contents"] == "2" and removed["api key revoked"] == "True"
    page.goto(f"{live}/org/violations")  # the admin's own sign-in went with the account
    assert "/login" in page.url
