"""Walk a signed-in role's day in the browser: its menu pages, then one page of each kind they link to.

Used by the accessibility and console tests. A "kind" is a path with its numbers replaced (``/enterprises/N``),
so a list of 300 enterprises costs one visit. Downloads, print sheets and sign-out are not pages of the day.
"""
from __future__ import annotations

import re
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SKIP = re.compile(r"(\.xlsx|\.pdf|\.csv|/export|/download|/files/|/print|/logout|/language|/api/|/static/|#)")


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def day_pages(pg, extra: tuple[str, ...] = (), depth: int = 2, limit: int = 40) -> list[str]:
    """Paths of the signed-in user's day: menu entries, ``extra``, and one page per kind linked from them."""
    menu = pg.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.getAttribute('href'))")
    frontier = ["/", *menu, *extra]
    pages: list[str] = []
    kinds: set[str] = set()
    for _level in range(depth):
        found = []
        for path in frontier:
            if kind_of(path) in kinds or SKIP.search(path.split("?")[0]) or len(pages) >= limit:
                continue
            kinds.add(kind_of(path))
            pages.append(path)
            response = pg.goto(path)
            if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            links = pg.eval_on_selector_all(
                "main a[href], .tabs a[href]", "els => els.map(e => e.getAttribute('href'))")
            found += [link for link in links if link.startswith("/") and not SKIP.search(link.split("?")[0])]
        frontier = found
    return pages


def axe_violations(pg) -> list[dict]:
    """axe-core's WCAG 2.1 AA violations on the current page (injected through the debugger, so the page's CSP
    stays as served)."""
    pg.evaluate(AXE_JS.read_text(encoding="utf-8") + ";0")
    return pg.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1])}));
    }""", WCAG_AA_TAGS)
