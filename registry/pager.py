"""A list's pager (分页导航): the links to the first, previous, next and last pages, and "第 n / m 页".

Written in Python rather than as a Jinja macro: the enterprise page shows a pager per record kind and one for its
history, and the macro's calls and translations were a tenth of that page's CPU (issue 16). Templates call it as
``pager(...)``, or through the ``pagination`` macro of ``_macros.html``, which forwards here.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, url_for
from flask_babel import gettext, pgettext
from markupsafe import Markup, escape

from registry.i18n import per_locale


def _labels() -> tuple[str, ...]:
    """The pager's words in the locale in force, as the templates' ``_()`` gives them (trusted catalogue text)."""
    return (gettext("分页"), pgettext("pager", "首页"), gettext("上一页"), gettext("下一页"), gettext("末页"),
            gettext("第 %(page)s / %(pages)s 页"))


def pager(page: int, pages: int, endpoint: str | None = None, args: Mapping | None = None, param: str = "page",
          anchor: str | None = None, ends: bool = False, href: Callable[[int], str] | None = None) -> Markup:
    """The pager of page ``page`` of ``pages`` (nothing when there is one page). A link to page n is ``href(n)``,
    else ``url_for(endpoint, **args, <param>=n, _anchor=anchor)``; ``ends``: first- and last-page links too."""
    if pages <= 1:
        return Markup("")
    if href is None:
        def href(n: int) -> str:
            return url_for(endpoint, _anchor=anchor, **dict(args or {}, **{param: n}))
    label, first, previous, following, last, position = per_locale("pager-labels", _labels)
    parts = [f'\n  <nav class="pager" aria-label="{label}">']
    if ends and page > 2:
        parts.append(f'<a href="{escape(href(1))}">« {first}</a>')
    if page > 1:
        parts.append(f'<a href="{escape(href(page - 1))}">‹ {previous}</a>')
    parts.append(f"<span>{Markup(position) % {'page': page, 'pages': pages}}</span>")
    if page < pages:
        parts.append(f'<a href="{escape(href(page + 1))}">{following} ›</a>')
    if ends and page < pages - 1:
        parts.append(f'<a href="{escape(href(pages))}">{last} »</a>')
    return Markup("\n    ".join(parts) + "\n  </nav>\n  ")


def register(app: Flask) -> None:
    app.jinja_env.globals.update(pager=pager)
