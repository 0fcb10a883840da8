"""Browser fixtures (loaded by tests/conftest.py, so one browser serves every module): the app served on 127.0.0.1 by a real WSGI server, driven by Playwright in Debian's Chromium.

Screenshots go to ``test-artifacts/screenshots/`` (kept after the run for people to look at).
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The test app was built with SERVER_NAME=localhost for url_for in tests; the browser talks to 127.0.0.1.
    previous = app.config.get("SERVER_NAME")
    app.config["SERVER_NAME"] = None
    yield f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_NAME"] = previous
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server,
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(pg, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def sign_in(pg, email: str, password: str = "correct-horse-battery") -> None:
    pg.goto("/login")
    pg.fill("input[name=email]", email)
    pg.fill("input[name=password]", password)
    pg.click("main form button[type=submit]")
    pg.wait_for_load_state("networkidle")


def confirm_if_asked(pg, expect: str | None = None) -> str | None:
    """Answer the confirmation an irreversible button opens (templates/base.html #confirm-dialog, app.js) with its
    OK button and waits for the page the form posts to; returns the question (None when none was asked).
    ``expect``: words the question must contain. The form is sent from the dialog's close event, a task queued after
    the click, so the click alone returns before the navigation starts (a later networkidle wait saw the old page)."""
    dialog = pg.locator("#confirm-dialog[open]")
    if not dialog.count():
        assert expect is None, f"no confirmation asked (expected one about {expect!r})"
        return None
    question = dialog.locator("#confirm-text").inner_text()
    if expect is not None:
        assert expect in question, question
    with pg.expect_navigation():
        dialog.locator("#confirm-ok").click()
    return question
