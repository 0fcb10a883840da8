"""The main menu fits on one line at 1366 px for every role, in Chinese and in English (issue 12 item 17)."""
from __future__ import annotations

import pytest

from tests.browser.fixtures import ARTIFACTS, sign_in
from tests.factories import EnterpriseFactory, UserFactory, jurisdiction


def _user(role: str):
    extra = {"enterprise": {"enterprise": EnterpriseFactory()}, "town": {"jurisdiction": jurisdiction("331082112")}}
    return UserFactory(role=role, display_name="临海市市场监督管理局质量发展科 王志刚", **extra.get(role, {}))


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", ["enterprise", "town", "bureau", "expert", "admin"])
def test_menu_fits_on_one_line_at_1366(page, role, language):
    user = _user(role)
    page.goto("/login")
    if language == "en":
        page.click("form.lang button")
        page.wait_for_load_state()
    sign_in(page, user.email)
    links = page.locator("nav.mainnav a")
    assert links.count() >= 4
    tops = set(links.evaluate_all("els => els.map(e => Math.round(e.getBoundingClientRect().top))"))
    hidden = page.locator("nav.mainnav").evaluate("n => n.scrollWidth - n.clientWidth")
    overlap = page.evaluate("""() => { const nav = document.querySelector('nav.mainnav').getBoundingClientRect();
        const box = document.querySelector('.userbox').getBoundingClientRect(); return nav.right - box.left; }""")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"menu-{role}-{language}.png"), clip={"x": 0, "y": 0, "width": 1366, "height": 100})
    assert len(tops) == 1, tops
    assert hidden <= 0 and overlap <= 0, (hidden, overlap)
