"""Main navigation by role, and template helpers every page uses."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from registry import policy
from registry.i18n import N_
from registry.vocab import USER_ROLES

# (endpoint, label, who sees it: a set of roles, or the ``registry.policy`` action the page itself checks). Areas
# add their entries here; N_() marks the label for translation.
NAV = [
    ("home.index", N_("首页"), {"enterprise", "town", "bureau", "expert", "admin", "certifier"}),
    ("enterprises.index", N_("企业名录"), "registry.browse"),
    ("workflows.index", N_("品字标申请"), {"enterprise"}),
    ("workflows.inbox_page", N_("待办"), {"town", "bureau", "expert", "admin", "certifier"}),
    ("workflows.overview_page", N_("申报总览"), "registry.browse"),
    ("workflows.notifications", N_("消息"), {"enterprise", "town", "bureau", "expert", "admin", "certifier"}),
    ("excel.import_page", N_("数据导入"), "import.run"),
    ("targets.dashboard", N_("质量目标"), "targets.view"),
    ("targets.towns", N_("镇街考核"), {"town"}),  # a town officer sees its own row of the assessment
    ("awards.index", N_("政府质量奖"), {"enterprise", "town", "bureau", "expert", "admin"}),
    ("admin.index", N_("系统管理"), "admin.pages"),
]


def _shown(who) -> bool:
    return policy.can(current_user, who) if isinstance(who, str) else current_user.role in who


# endpoint -> function(user) giving a count shown beside the entry (unread messages); areas register theirs
# when their blueprint is registered.
BADGES: dict = {}


def nav_items() -> list[dict]:
    if not current_user.is_authenticated or current_user.must_change_password:
        return []
    items = []
    for endpoint, label, who in NAV:
        if not _shown(who):
            continue
        try:
            url = url_for(endpoint)
        except BuildError:  # an area not registered in this build
            continue
        badge = BADGES[endpoint](current_user) if endpoint in BADGES else 0
        items.append({"url": url, "label": _(label), "active": request.endpoint == endpoint, "badge": badge})
    return items


def can(action: str, obj=None) -> bool:
    """Templates ask ``registry.policy`` whether the signed-in user may take ``action``: ``can('award.manage')``."""
    return policy.can(current_user, action, obj)


def colon() -> str:
    """The colon after a label: full-width in Chinese text (编号：), ": " in English."""
    from flask_babel import get_locale

    return ": " if str(get_locale()) == "en" else "："


def register(app: Flask) -> None:
    from flask_babel import get_locale

    app.jinja_env.globals.update(nav_items=nav_items, role_label=USER_ROLES.label, get_locale=get_locale,
                                 colon=colon, can=can)
