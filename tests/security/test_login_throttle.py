"""Sign-in throttle (issue 9 item 8, issue 12 item 1): only failures count, a success clears the account's count,
the owner's known address is not locked out by a stranger's guesses, the limit keys on the client address, and
the 429 page says in the user's language when to try again."""
from __future__ import annotations

import re

from tests.conftest import Auth, csrf_token_from

OWNER, STRANGER, OFFICE = "10.1.0.1", "10.2.0.2", "10.3.0.3"


def attempt(app, email: str, password: str, address: str, client=None):
    client = client or app.test_client()
    env = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=env)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))}, environ_base=env)


def test_successful_sign_ins_are_not_counted(app, make_user):
    user = make_user("bureau")
    codes = [attempt(app, user.email, Auth.PASSWORD, OFFICE).status_code for _ in range(12)]
    assert codes == [302] * 12


def test_a_success_clears_the_accounts_failures(app, make_user):
    user = make_user("bureau")
    for _ in range(3):
        assert [attempt(app, user.email, "wrong-password", OWNER).status_code for _ in range(4)] == [200] * 4
        assert attempt(app, user.email, Auth.PASSWORD, OWNER).status_code == 302


def test_a_stranger_guessing_locks_strangers_out_but_not_the_owner(app, make_user):
    user = make_user("bureau")
    assert attempt(app, user.email, Auth.PASSWORD, OWNER).status_code == 302  # the owner's address is known now
    guesses = [attempt(app, user.email, f"guess-{n}", STRANGER).status_code for n in range(8)]
    assert guesses == [200] * 5 + [429] * 3
    # the throttle holds for unknown addresses, even with the right password...
    assert attempt(app, user.email, Auth.PASSWORD, "10.2.0.3").status_code == 429
    # ...but the owner, from an address that has signed in before, gets in
    assert attempt(app, user.email, Auth.PASSWORD, OWNER).status_code == 302


def test_the_address_limit_keys_on_the_client_address(app, make_user):
    codes = [attempt(app, f"nobody-{n}@linhai.example", "wrong-password", STRANGER).status_code for n in range(22)]
    assert codes == [200] * 20 + [429] * 2
    user = make_user("bureau")
    assert attempt(app, user.email, Auth.PASSWORD, OFFICE).status_code == 302  # another address is not held back


def test_the_429_page_says_when_to_try_again_in_the_users_language(app, make_user):
    user = make_user("bureau")
    client = app.test_client()
    for n in range(5):
        attempt(app, user.email, f"guess-{n}", STRANGER, client)
    answer = attempt(app, user.email, "guess-5", STRANGER, client)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 429 and 1 <= int(answer.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数过多" in html and re.search(r"\d{2}:\d{2} 之后再试", html) and "per" not in html.lower()

    page = client.get("/login", environ_base={"REMOTE_ADDR": STRANGER})
    client.post("/lang/en", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))},
                environ_base={"REMOTE_ADDR": STRANGER})
    english = attempt(app, user.email, "guess-6", STRANGER, client)
    text = english.get_data(as_text=True)
    # The page is the English sign-in page (the message itself is a gettext string: its English text comes with the
    # lead's translation pass), with the time to try again, never the limiter's "5 per 15 minute".
    assert english.status_code == 429 and 'lang="en"' in text and "Sign in" in text
    assert re.search(r"\d{2}:\d{2}", text) and "per 15 minute" not in text
