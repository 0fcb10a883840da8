"""The account pages in Chromium, desktop and phone: the API-token list and the forced change-password page."""
from __future__ import annotations

import pytest

from registry.auth.tokens import issue_token
from registry.extensions import db
from registry.models import ApiToken
from tests.browser.fixtures import sign_in
from tests.factories import UserFactory


def _no_sideways_scroll(pg) -> None:
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_token_list_and_forced_password_change(request, shot, width):
    pg = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    user = UserFactory(role="bureau", display_name="市局李科长")
    issue_token(user, "统计报送")
    issue_token(user, "数据对接（旧）")
    old = db.session.query(ApiToken).filter_by(label="数据对接（旧）").one()
    old.revoked = True
    db.session.commit()
    email = user.email
    db.session.commit()
    sign_in(pg, email)
    pg.goto("/account/tokens")
    assert pg.locator("table.list tbody tr").count() == 2 and pg.get_by_text("已撤销").count() >= 1
    _no_sideways_scroll(pg)
    shot(pg, f"account-tokens-{width}")

    db.session.commit()  # end the read that loaded user.email: the server wrote since
    forced = UserFactory(role="expert", must_change_password=True)
    pg.context.clear_cookies()
    sign_in(pg, forced.email)
    assert pg.url.endswith("/account/password")
    assert pg.get_by_text("请先设置只有您自己知道的新密码").is_visible()
    _no_sideways_scroll(pg)
    shot(pg, f"account-password-forced-{width}")
