"""registry.pager: the pager's links and words, as the pagination macro wrote them (the enterprise page shows up
to eight pagers, so it is written in Python)."""
from __future__ import annotations

from registry.pager import pager


def test_one_page_shows_no_pager(app):
    with app.test_request_context("/"):
        assert pager(1, 1, href=lambda n: f"/p?page={n}") == ""


def test_a_middle_page_links_first_previous_next_and_last_escaped(app):
    with app.test_request_context("/"):
        shown = str(pager(5, 9, ends=True, href=lambda n: f"/p?a=1&page={n}#x"))
    assert '<nav class="pager" aria-label="分页">' in shown
    assert '<a href="/p?a=1&amp;page=1#x">« 首页</a>' in shown
    assert '<a href="/p?a=1&amp;page=4#x">‹ 上一页</a>' in shown
    assert "<span>第 5 / 9 页</span>" in shown
    assert '<a href="/p?a=1&amp;page=6#x">下一页 ›</a>' in shown
    assert '<a href="/p?a=1&amp;page=9#x">末页 »</a>' in shown


def test_the_ends_only_when_asked_and_not_next_to_the_current_page(app):
    with app.test_request_context("/"):
        plain = str(pager(5, 9, href=lambda n: f"/p/{n}"))
        second = str(pager(2, 3, ends=True, href=lambda n: f"/p/{n}"))
    assert "首页" not in plain and "末页" not in plain
    assert "首页" not in second and "末页" not in second and "上一页" in second and "下一页" in second


def test_without_href_the_links_come_from_url_for(app):
    with app.test_request_context("/"):
        shown = str(pager(1, 2, "enterprises.index", {"q": "<鑫隆>"}))
    assert 'href="/enterprises?q=%3C%E9%91%AB%E9%9A%86%3E&amp;page=2"' in shown
