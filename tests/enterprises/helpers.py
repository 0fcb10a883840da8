"""Helpers of the registry page tests: posting real forms with their CSRF token, counting SQL, reading rows."""
from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event

from registry.extensions import db
from tests.conftest import csrf_token_from

ROW_LINK = re.compile(r'data-label="企业名称"><a href="/enterprises/(\d+)"')


def submit(client, form_path: str, data: dict, post_path: str | None = None):
    """GET the form (as a browser would), then POST ``data`` with the page's CSRF token."""
    page = client.get(form_path)
    token = csrf_token_from(page.get_data(as_text=True)) if page.status_code == 200 else csrf_from_home(client)
    return client.post(post_path or form_path, data={**data, "csrf_token": token})


def csrf_from_home(client) -> str:
    page = client.get("/")
    if page.status_code == 302:  # enterprise accounts land on their own page (no follow_redirects: see conftest)
        page = client.get(page.headers["Location"])
    return csrf_token_from(page.get_data(as_text=True))


def listed_ids(response) -> list[int]:
    """Enterprise ids in the order the list page shows them."""
    return [int(i) for i in ROW_LINK.findall(response.get_data(as_text=True))]


@contextmanager
def count_queries():
    """Every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def _listen(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _listen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _listen)
