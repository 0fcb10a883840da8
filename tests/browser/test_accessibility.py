"""Every role's day from the demo, in Chromium: axe-core finds no WCAG 2.1 AA violation on any page, no page logs
a console error or fails a request, and the keyboard alone gets through sign-in and a form with focus visible.

(GB/T 37668-2019 and the 适老化 programme align with WCAG 2.1 AA.) Screenshots: test-artifacts/screenshots/a11y-*.
"""
from __future__ import annotations

import re

import pytest

from registry.demo import seed_demo
from registry.demo.applications import seed_demo_applications
from registry.demo.awards import seed_demo_award
from registry.demo.accounts import DEMO_ACCOUNTS
from tests.browser.crawl import axe_violations, day_pages

ROLE_ACCOUNT = {a.role: a for a in reversed(DEMO_ACCOUNTS)}  # the first account of each role


@pytest.fixture
def demo_world(app):
    seed_demo()
    seed_demo_applications()
    seed_demo_award()


def _sign_in(pg, email: str, password: str) -> None:
    pg.goto("/login")
    pg.fill("input[name=email]", email)
    pg.fill("input[name=password]", password)
    pg.click("main form button[type=submit]")
    pg.wait_for_load_state("networkidle")


def _cancelled_favicon(request) -> bool:
    """The browser fetches the tab icon on its own after the page has loaded; going on to the next page cancels that
    fetch (net::ERR_ABORTED) under load. That is no failure of the page: a missing icon still shows as an HTTP error."""
    return request.failure == "net::ERR_ABORTED" and request.url.split("?")[0].endswith("/static/favicon.svg")


def _watch(pg) -> list[str]:
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"{pg.url} console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"{pg.url} script error: {e}"))
    pg.on("requestfailed", lambda r: None if _cancelled_favicon(r) else
          problems.append(f"{pg.url} request failed: {r.url} {r.failure}"))
    pg.on("response", lambda r: problems.append(f"{pg.url} HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return problems


@pytest.mark.parametrize("role", ["enterprise", "town", "bureau", "expert", "admin"])
def test_every_page_of_a_role_day_meets_wcag21_aa_without_console_errors(demo_world, page, shot, role):
    account = ROLE_ACCOUNT[role]
    problems = _watch(page)
    _sign_in(page, account.email, account.password)
    pages = day_pages(page)
    assert len(pages) >= 4, pages
    found = {}
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[path] = [(v["id"], v["nodes"][:3]) for v in violations]
        shot(page, f"a11y-{role}-{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_') or 'home'}")
    assert found == {}, found
    assert problems == [], problems


_KEY = "e => e.name || e.getAttribute('href') || e.type || e.tagName"  # how a focusable element is named here


def _focus_outline(pg) -> str:
    return pg.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? 'visible' : 'none'; }""")


def _tab_to(pg, limit: int = 40) -> list[str]:
    """Press Tab until focus runs off the end of the page or ``limit``; the focused elements in order."""
    order = []
    for _ in range(limit):
        pg.keyboard.press("Tab")
        name = pg.evaluate(f"() => ({_KEY})(document.activeElement)")
        if name == "BODY":  # past the last control
            break
        order.append(name)
        assert _focus_outline(pg) == "visible", f"focus on {name} is not visible"
    return order


def test_keyboard_alone_signs_in_and_fills_a_form_with_focus_visible(demo_world, page, shot):
    account = ROLE_ACCOUNT["enterprise"]
    page.goto("/login")
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.name || document.activeElement.type")
        order.append(focused)
        assert _focus_outline(page) == "visible", f"focus on {focused} is not visible"
        if focused == "email":
            page.keyboard.type(account.email)
        elif focused == "password":
            page.keyboard.type(account.password)
            break
    assert order.index("email") < order.index("password"), order
    shot(page, "a11y-keyboard-login")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url, page.locator("main").inner_text()

    page.goto("/applications/new")
    fields = page.eval_on_selector_all(
        "main form input:not([type=hidden]), main form select, main form textarea, main form button",
        f"els => els.map({_KEY})")
    tabbed = [name for name in _tab_to(page, 60) if name in fields]
    # The form's fields come in the order they are shown, one after another.
    first = tabbed.index(fields[0])
    assert tabbed[first:first + len(fields)] == fields, (tabbed, fields)
    page.focus("[name=product]")
    page.keyboard.type("键盘填写的产品")
    shot(page, "a11y-keyboard-form")
