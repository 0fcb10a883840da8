"""The targets page on a phone (issue 12 item 18): the chart is drawn for the narrow screen with readable text, the
indicator sections start folded under headings that say what is inside, and the page is short enough to scroll."""
from __future__ import annotations

from registry.demo import seed_demo
from registry.targets.seed import seed_indicators
from tests.browser.fixtures import sign_in
from tests.factories import UserFactory

PHONE_HEIGHT_BOUND = 4000  # px at 390 px wide (it was 14,433 with every table open and the chart shrunk)


def test_targets_page_on_a_phone_is_short_readable_and_navigable(app, phone_page, page, shot):
    seed_indicators()
    seed_demo(enterprise_count=80)
    UserFactory(role="bureau", email="shiju@test.example")

    sign_in(phone_page, "shiju@test.example")
    phone_page.goto("/targets/")
    phone_page.wait_for_load_state("networkidle")
    height = phone_page.evaluate("document.documentElement.scrollHeight")
    shot(phone_page, "targets-phone")
    assert height < PHONE_HEIGHT_BOUND, height

    assert phone_page.locator("svg.chart.wide").first.is_hidden()
    narrow = phone_page.locator("svg.chart.narrow").first
    assert narrow.is_visible()
    label_heights = narrow.locator("text").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(label_heights) >= 10, label_heights  # CSS pixels on screen, not the drawing's units

    sections = phone_page.locator("details.t-section")
    assert sections.count() >= 3
    assert sections.evaluate_all("els => els.filter(e => e.open).length") == 0
    first = sections.first
    assert "项" in first.locator("summary").inner_text()
    first.locator("summary").click()
    assert first.evaluate("e => e.open") and first.locator("table").is_visible()
    shot(phone_page, "targets-phone-section-open")

    # On a desktop every section is open and the wide chart is drawn.
    sign_in(page, "shiju@test.example")
    page.goto("/targets/")
    assert page.locator("details.t-section").evaluate_all("els => els.every(e => e.open)")
    assert page.locator("svg.chart.wide").first.is_visible() and page.locator("svg.chart.narrow").first.is_hidden()
    shot(page, "targets-desktop")
