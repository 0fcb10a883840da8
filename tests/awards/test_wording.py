"""Words (issue 15 item 11): the expert draw is 随机抽取评审专家. "双随机" names random inspection targets with
random inspectors (a market-supervision inspection), which the award's draw is not."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_page_or_source_calls_the_draw_double_random():
    found = [str(p.relative_to(ROOT)) for folder in ("templates", "registry", "workflows")
             for p in (ROOT / folder).rglob("*") if p.suffix in (".html", ".py", ".js", ".txt")
             and "双随机" in p.read_text(encoding="utf-8")]
    assert found == []


def test_round_page_and_pool_name_the_random_draw(award_round, bureau, auth, client):
    auth.login(bureau)
    for path in (f"/awards/rounds/{award_round.id}", "/awards", "/awards/pool"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert "双随机" not in html, path
    assert "随机抽取评审专家" in client.get(f"/awards/rounds/{award_round.id}").get_data(as_text=True)
