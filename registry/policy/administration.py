"""The back office's rules: accounts, tokens, settings, catalogues, the audit trail, imports, deliveries,
holidays and the plan targets.

Bureau staff and administrators run the back office; only an administrator changes accounts, settings and
tokens, reads the security audit, and sees every user's import jobs.
"""
from __future__ import annotations

from registry.models.accounts import (ROLE_ADMIN, ROLE_BUREAU, ROLE_CERTIFIER, ROLE_ENTERPRISE, ROLE_EXPERT,
                                      ROLE_TOWN, ROLES)
from registry.policy import roles
from registry.policy.table import Rule

# Who may open accounts of which role: bureau staff onboard enterprises, town reviewers, experts and certifiers;
# only an administrator creates staff accounts (bureau, admin), so nobody can raise their own kind's privileges.
CREATABLE_ROLES = {ROLE_ADMIN: ROLES, ROLE_BUREAU: (ROLE_ENTERPRISE, ROLE_TOWN, ROLE_EXPERT, ROLE_CERTIFIER)}


def creatable_roles(user) -> tuple[str, ...]:
    """The roles of the accounts ``user`` may open (none: may not open accounts)."""
    return CREATABLE_ROLES.get(roles.role(user), ())


def _staff(user, _obj=None) -> bool:
    return roles.staff(user)


def _admin(user, _obj=None) -> bool:
    return roles.admin(user)


def _opens(user, role) -> bool:
    """``role`` None: may the user open accounts at all."""
    allowed = creatable_roles(user)
    return bool(allowed) if role is None else role in allowed


def _manages_tokens_of(user, owner_id) -> bool:
    return user is not None and (getattr(user, "id", None) == owner_id or roles.admin(user))


def _sees_import_job(user, job) -> bool:
    return roles.staff(user) and (job.user_id == user.id or roles.admin(user))


def _sees_town_assessment(user, _obj=None) -> bool:
    return roles.staff(user) or (roles.role(user) == ROLE_TOWN and bool(user.jurisdiction_id))


RULES = {
    "admin.pages": Rule(_staff, "只有系统管理员或市局人员可以进入系统管理。"),
    "user.list": Rule(_staff, "只有系统管理员或市局人员可以管理用户。"),
    "user.create": Rule(_opens, "只有系统管理员可以创建市局或管理员账户。"),
    "user.activate": Rule(_admin, "只有系统管理员可以停用或启用用户。"),
    "user.edit": Rule(_admin, "只有系统管理员可以修改用户账户。"),
    "token.manage": Rule(_manages_tokens_of, "未找到该用户。", hidden=True),
    "token.issue": Rule(_admin, "只有系统管理员可以签发 API 令牌。"),
    "settings.view": Rule(_staff, "没有查看系统设置的权限。"),
    "settings.edit": Rule(_admin, "只有系统管理员可以修改系统设置。"),
    "catalogue.edit": Rule(_staff, "只有系统管理员或市局人员可以维护目录。"),
    "audit.view": Rule(_admin, "只有系统管理员可以查看安全审计记录。"),
    "import.run": Rule(_staff, "只有市局人员可以导入数据。"),
    "import_job.view": Rule(_sees_import_job, "未找到该导入任务。", hidden=True),
    "delivery.manage": Rule(_staff, "只有市局工作人员或系统管理员可以查看和处理消息投递。"),
    "holiday.edit": Rule(_staff, "只有市局审核员或系统管理员可以维护节假日。"),
    "jurisdiction.choose": Rule(_staff, "只有市局人员可以按镇街筛选。"),  # town reviewers see only their own
    "targets.view": Rule(_staff, "只有市局人员可以查看质量目标。"),
    "targets.assessment": Rule(_sees_town_assessment, "只有市局人员和镇街审核员可以查看镇街考核。"),
}
SCOPES: dict = {}
