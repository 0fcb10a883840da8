"""Signing in through a real browser, in Chinese, with the CJK font rendering."""
from __future__ import annotations

from tests.browser.fixtures import sign_in


def test_sign_in_page_and_failed_login(page, shot, make_user):
    user = make_user("bureau")
    page.goto("/login")
    assert "登录" in page.title()
    shot(page, "auth-01-login")
    sign_in(page, user.email, "wrong-password-x")
    assert "邮箱或密码不正确" in page.content()
    shot(page, "auth-02-login-failed")
    sign_in(page, user.email)
    assert "退出" in page.content()
    shot(page, "auth-03-home")
