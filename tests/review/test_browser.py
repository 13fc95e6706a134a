"""The workspace in headless Chromium: sign in, claim, see the evidence, decide with the keyboard."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
from sqlalchemy import select

from modpipe.domain import Kind
from modpipe.models import Item
from review_queue.models import ReviewTask

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SCREENSHOT_DIR = os.environ.get("MODPIPE_SCREENSHOTS", "/tmp")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app):
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which("chromium") or os.path.exists(CHROMIUM), "run scripts/test-deps.sh to install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _poster() -> bytes:
    import io

    from PIL import Image, ImageDraw

    im = Image.new("RGB", (480, 320), (236, 240, 247))
    d = ImageDraw.Draw(im)
    d.rectangle([40, 40, 440, 120], fill=(200, 40, 40))
    d.rectangle([60, 180, 300, 230], fill=(30, 30, 30))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_sign_in_claim_see_evidence_decide_with_keys(server, browser, rt, submit_reviewed, staff_member, org):
    from review_queue import cases
    from modpipe.accounts import Principal

    text_item = submit_reviewed()
    cases.file_complaint(rt, Principal(kind="org", org_id=org.org_id), text_item, "用户举报：停水消息不实")
    image_item = submit_reviewed(kind=Kind.IMAGE, data=_poster(), mime="image/png", cats=(("spam_ads_sexual", 0.55),))
    staff_member("mia", "moderator", password="pw-mia-123")

    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/review")
    assert "/login" in page.url  # not signed in: sent to sign in, and back afterwards
    page.fill("input[name=username]", "mia")
    page.fill("input[name=password]", "pw-mia-123")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/review")
    page.keyboard.press("Enter")  # claim the next task
    page.wait_for_url("**/review/tasks/*")

    # the complaint comes first (higher priority): its text, with the rule's span highlighted, the phone masked
    mark = page.locator("#item-text mark.ev")
    assert mark.inner_text() == "停水"
    assert "rumor_disorder" in mark.get_attribute("title")
    body = page.inner_text("#item-text")
    assert "138****5678" in body and "13812345678" not in body
    assert page.locator("#history").inner_text().count("complaint") >= 1
    assert page.is_checked("#cats input[value=rumor_disorder]")  # the machine's category, preselected
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "review-workspace-text.png"), full_page=True)
    page.keyboard.press("b")  # block with the preselected category
    page.wait_for_url("**/review/tasks/*?prev=*")

    # the next task, the image: blurred until the moderator asks, OCR box drawn over it
    fig = page.locator("#media")
    assert "blurred" in fig.get_attribute("class")
    blur = page.eval_on_selector("#media-img", "el => getComputedStyle(el).filter")
    assert "blur" in blur
    page.keyboard.press("u")
    assert "shown" in fig.get_attribute("class")
    assert page.eval_on_selector("#media-img", "el => getComputedStyle(el).filter") == "none"
    box = page.eval_on_selector(".ocr-box", "el => [el.style.left, el.style.width]")
    assert box[0].endswith("%") and float(box[0][:-1]) == pytest.approx(10 / 480 * 100, rel=1e-3)
    page.wait_for_function("document.getElementById('media-img').complete")
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "review-workspace.png"), full_page=True)
    page.keyboard.press("p")  # pass
    page.wait_for_url("**/review?msg=*")
    assert "Nothing left" in page.inner_text("main")
    assert errors == []

    with rt.db.session() as s:
        assert s.get(Item, text_item).decision == "block"
        assert s.get(Item, image_item).decision == "pass"
        done = s.scalars(select(ReviewTask.status)).all()
    assert set(done) == {"done", "cancelled"}  # the text item's pipeline task was answered by the complaint
