"""The registry's rules: which enterprises (and their records) a user reaches, and who changes them.

- enterprise accounts: their own enterprise only (read and write; records the bureau registers are read only);
- town reviewers: enterprises of their jurisdiction (read only);
- bureau staff and administrators: everything;
- experts and certifiers: no registry access (they see applications, through the workflow pages).
Anything outside scope answers NotFound, never Forbidden, so ids cannot be probed.
"""
from __future__ import annotations

from sqlalchemy import false, true

from registry.models import Enterprise
from registry.models.accounts import ROLE_ENTERPRISE, ROLE_TOWN
from registry.policy import roles
from registry.policy.table import Rule


def enterprise_condition(user):
    """A SQL condition on ``Enterprise`` limiting rows to the user's scope."""
    if not roles.signed_in(user):
        return false()
    role = roles.role(user)
    if roles.staff(user):
        return true()
    if role == ROLE_ENTERPRISE and user.enterprise_id:
        return Enterprise.id == user.enterprise_id
    if role == ROLE_TOWN and user.jurisdiction_id:
        return Enterprise.jurisdiction_id == user.jurisdiction_id
    return false()


def sees(user, enterprise) -> bool:
    """The Python twin of ``enterprise_condition`` for one loaded enterprise."""
    if not roles.signed_in(user):
        return False
    role = roles.role(user)
    if roles.staff(user):
        return True
    if role == ROLE_ENTERPRISE:
        return bool(user.enterprise_id) and user.enterprise_id == enterprise.id
    if role == ROLE_TOWN:
        return bool(user.jurisdiction_id) and user.jurisdiction_id == enterprise.jurisdiction_id
    return False


def browses(user, _obj=None) -> bool:
    """Whether the user has a registry list at all (enterprise accounts see only their own page)."""
    return roles.staff(user) or roles.role(user) == ROLE_TOWN


def edits(user, enterprise) -> bool:
    return roles.staff(user) or (roles.role(user) == ROLE_ENTERPRISE and user.enterprise_id == enterprise.id)


def edits_records(user, target) -> bool:
    """``target`` = (enterprise, record kind): an enterprise account changes only the kinds it may keep itself."""
    enterprise, kind = target
    return edits(user, enterprise) and (kind.enterprise_editable or roles.role(user) != ROLE_ENTERPRISE)


def _staff(user, _obj=None) -> bool:
    return roles.staff(user)


RULES = {
    "registry.browse": Rule(browses, "没有浏览企业名录的权限。"),
    "enterprise.view": Rule(sees, "未找到该企业。", hidden=True),
    "enterprise.edit": Rule(edits, "您没有修改该企业信息的权限。"),
    "enterprise.create": Rule(_staff, "只有市局人员可以新增企业。"),
    "enterprise.delete": Rule(_staff, "只有市局人员可以删除企业。"),
    "enterprise.override_uscc": Rule(_staff, "只有市局人员可以登记统一社会信用代码例外。"),
    "record.edit": Rule(edits_records, "您没有修改该记录的权限。"),
}
SCOPES = {"enterprise.view": enterprise_condition}
