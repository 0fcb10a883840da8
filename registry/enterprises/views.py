"""Registry pages (企业名录): the enterprise list and the enterprise page.

The master-record forms live in ``master_views``, the record forms in ``record_views``; both add their
routes to this blueprint. Views parse the request, call services and render; the services decide.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.routing import BuildError

from registry import policy
from registry.clock import today
from registry.enterprises.display import RecordTable, can_edit_kinds, history_rows, master_rows, record_table
from registry.enterprises.forms import SearchForm
from registry.i18n import per_locale
from registry.models.accounts import ROLE_ENTERPRISE
from registry.records.kinds import KINDS
from registry.services.enterprises import EnterpriseFilters, get_enterprise, page_badges, search_enterprises
from registry.services.history import enterprise_history
from registry.services.record_pages import page_param, record_pages

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

# Query parameters the list understands; nothing else is echoed into links (url_for treats '_external',
# '_scheme'... as instructions, so a raw request.args must never be splatted into it).
FILTER_KEYS = ("q", "jurisdiction", "industry", "above_scale", "pinzibiao", "credit", "sort", "direction")
MAX_PAGE = 100_000
HISTORY_PARAM = "history_page"  # the query parameter naming the page of the enterprise's change history
LIST_COUNT_CAP = 1000  # beyond this the list says "more than 1000" and asks for a narrower search


def list_args() -> dict[str, str]:
    """The list's known, non-empty query parameters (for sort, pager and export links)."""
    return {key: value[:200] for key in FILTER_KEYS if (value := request.args.get(key, "").strip())}


def _page_number(name: str = "page") -> int:
    """The page a query parameter asks for, held within 1 .. MAX_PAGE (junk reads as 1)."""
    try:
        return min(max(int(request.args.get(name, "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def _optional_url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # that area is not registered in this build
        return None


def _export_url(args: dict[str, str]) -> str:
    try:
        return url_for("excel.export_enterprises", **args)
    except BuildError:  # the Excel area is not registered in this build: link its future address
        path, mark, query = url_for("enterprises.index", **args).partition("?")
        return f"{path}/export.xlsx{mark}{query}"


@bp.route("")
@login_required
def index():
    """GET /enterprises: search, filters, sorting, 20 per page. Enterprise accounts go to their own page."""
    if current_user.role == ROLE_ENTERPRISE and current_user.enterprise_id:
        return redirect(url_for(".show", enterprise_id=current_user.enterprise_id))
    if not policy.can(current_user, "registry.browse"):
        abort(403)
    args = list_args()
    filters = EnterpriseFilters(**{k: v for k, v in args.items()})
    page = search_enterprises(current_user, filters, _page_number(), current_app.config["PAGE_SIZE"],
                              count_cap=LIST_COUNT_CAP)
    pinzibiao, listed = page_badges([e.id for e in page.items])
    return render_template(
        "enterprises/list.html", form=SearchForm(request.args), page=page, args=args,
        sort=filters.sort if filters.sort else "name", direction=filters.direction,
        pinzibiao=pinzibiao, listed=listed, export_url=_export_url(args),
        can_create=policy.can(current_user, "enterprise.create"), show_jurisdiction=current_user.role != "town")


def _record_tables(enterprise, records, day, here: str) -> dict[str, RecordTable]:
    """Each kind's table of its page of records, with edit and delete buttons where the user may change them."""
    editable, token = can_edit_kinds(current_user, enterprise), generate_csrf()
    return {slug: record_table(kind, records.pages[slug].items, day, base=f"{here}{slug}/" if editable[slug] else None,
                               token=token) for slug, kind in KINDS.items()}


def _kind_words() -> dict[str, tuple[Markup, Markup]]:
    """Per kind slug, its "新增…" button and "暂无…。" line as the templates' ``_()`` writes them (the label escaped):
    translated once per locale, not once per kind and view."""
    return {slug: (Markup(gettext("新增%(kind)s")) % {"kind": str(kind.label)},
                   Markup(gettext("暂无%(kind)s。")) % {"kind": str(kind.label)}) for slug, kind in KINDS.items()}


@bp.route("/<int:enterprise_id>")
@login_required
def show(enterprise_id: int):
    """GET /enterprises/<id>: master record, a page of each record kind (``?patents_page=2`` ...: a pager per kind,
    its total in the heading), computed statuses, change history 20 changes a page (``?history_page=2``).

    A fixed number of queries whatever the records and changes: the enterprise, the totals and badges (and the
    history's total), one per record kind, a page of the history (and catalogue names).
    """
    enterprise = get_enterprise(current_user, enterprise_id)
    day = today()
    wanted = {slug: _page_number(page_param(slug)) for slug in KINDS}
    records = record_pages(enterprise.id, wanted, day)
    history = enterprise_history(current_user, enterprise.id, _page_number(HISTORY_PARAM),
                                 total=records.history_total)
    # Each pager keeps the other lists where they are: only pages past the first are in its links.
    pages = {page_param(slug): page for slug, page in records.pages.items()}
    pages[HISTORY_PARAM] = history
    at = {param: page.page for param, page in pages.items() if page.page > 1}
    here = url_for(".show", enterprise_id=enterprise.id)

    def pager_link(param: str, anchor: str):
        """The link to page n of one list, the others kept where they are (url_for once, not per link)."""
        return lambda n: f"{here}?{urlencode(dict(at, **{param: n}))}#{anchor}"

    return render_template(
        "enterprises/show.html", enterprise=enterprise, kinds=KINDS, day=day, records=records, at=at,
        kind_labels=per_locale("kind-labels", lambda: {slug: str(kind.label) for slug, kind in KINDS.items()}),
        kind_words=per_locale("kind-words", _kind_words), records_url=f"{here}/",
        page_param=page_param, pager_link=pager_link, master=master_rows(enterprise),
        tables=_record_tables(enterprise, records, day, f"{here}/"),
        history=history, history_table_rows=history_rows(history.items), history_param=HISTORY_PARAM,
        can_edit=policy.can(current_user, "enterprise.edit", enterprise),
        can_edit_kind=can_edit_kinds(current_user, enterprise),
        can_delete=policy.can(current_user, "enterprise.delete"),
        export_url=_optional_url("excel.export_enterprise_records", enterprise_id=enterprise.id))


from registry.enterprises import master_views, record_views  # noqa: E402,F401  (their routes join bp)
