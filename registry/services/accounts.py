"""Account use cases: sign-in, creating users, changing passwords."""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from registry import policy
from registry.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from registry.auth.sessions import close_all_sessions
from registry.audit.trail import record
from registry.auth.tokens import revoke_all as revoke_all_tokens
from registry.database import begin_write
from registry.extensions import db
from registry.models import ROLES, CertificationBody, Enterprise, Jurisdiction, User
from registry.models.accounts import ROLE_CERTIFIER, ROLE_TOWN
from registry.models.base import utcnow
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown user and wrong password).

    Upgrades the stored hash when argon2 parameters have changed, and records the login time.
    """
    email = normalise_email(email)
    begin_write()  # every outcome writes its audit row
    # PostgreSQL refuses NUL in a text comparison (a 500); no address holds one, so it is an unknown user.
    user = None if "\x00" in email else db.session.scalar(select(User).where(func.lower(User.email) == email))
    failure = None
    if not verify_password(user.password_hash if user else None, password or ""):
        failure = "wrong_password" if user else "unknown_account"
    elif not user.is_active:
        failure = "account_disabled"
    if failure:
        record("sign_in_failed", None, f"user:{user.id}" if user else None, {"reason": failure},
               actor_label=_BAD_CHARS.sub("", email)[:120])
        db.session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record("sign_in", user, f"user:{user.id}")
    db.session.commit()
    return user


def create_user(email: str, role: str, password: str, display_name: str | None = None,
                enterprise_uscc: str | None = None, jurisdiction_code: str | None = None,
                phone: str | None = None, *, actor: User | None = None, must_change_password: bool = False,
                body_code: str | None = None) -> User:
    """Create an account (``actor`` None: the CLI or the installer); enterprise users need an enterprise, town
    reviewers a jurisdiction, certifiers an active certification body (``body_code``). Audited as ``account_create``. ``must_change_password``: someone else chose the
    password; the user changes it at first sign-in.

    Raises ValidationFailed for bad input and Conflict when the e-mail is taken.
    """
    errors: dict[str, list[str]] = {}
    email = normalise_email(email)
    if "@" not in email:
        errors.setdefault("email", []).append("请输入有效的电子邮箱。")
    if role not in ROLES:
        errors.setdefault("role", []).append(f"角色必须是 {', '.join(ROLES)} 之一。")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors.setdefault("password", []).append(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    enterprise = jurisdiction = None
    if role == "enterprise":
        enterprise = db.session.scalar(
            select(Enterprise).where(Enterprise.uscc == (enterprise_uscc or "").strip().upper()))
        if enterprise is None and (enterprise_uscc or "").strip():
            errors.setdefault("enterprise", []).append(
                f"未找到统一社会信用代码为 {enterprise_uscc.strip()[:40]} 的已登记企业，请先登记该企业或核对代码。")
        elif enterprise is None:
            errors.setdefault("enterprise", []).append("企业用户必须关联已登记的企业（统一社会信用代码）。")
    if role == "town":
        jurisdiction = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == (jurisdiction_code or "").strip()))
        if jurisdiction is None:
            errors.setdefault("jurisdiction", []).append("镇街审核员必须关联镇街（行政区划代码）。")
    body = None
    if role == ROLE_CERTIFIER:
        body = db.session.scalar(select(CertificationBody).where(
            CertificationBody.code == (body_code or "").strip(), CertificationBody.active.is_(True)))
        if body is None:
            errors.setdefault("certification_body", []).append("认证机构人员必须关联目录中启用的认证机构（代码）。")
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict(f"邮箱 {email} 已被使用。", field="email")
    user = User(email=email, role=role, password_hash=hash_password(password),
                display_name=display_name or email.split("@")[0], phone=phone,
                enterprise_id=enterprise.id if enterprise else None,
                jurisdiction_id=jurisdiction.id if jurisdiction else None,
                certification_body_id=body.id if body else None,
                must_change_password=must_change_password)
    db.session.add(user)
    db.session.flush()
    record("account_create", actor, f"user:{user.id}",
           {"email": user.email, "role": role, "enterprise": enterprise.uscc if enterprise else None,
            "jurisdiction": jurisdiction.code if jurisdiction else None, "certification_body": body.code if body else None})
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end every session of the user. Raises ValidationFailed."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed({"current_password": ["当前密码不正确。"]})
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]})
    if new == current:
        raise ValidationFailed({"new_password": ["新密码不能与当前密码相同。"]})
    begin_write()
    user.password_hash = hash_password(new)
    user.must_change_password = False
    close_all_sessions(user.id)
    revoke_all_tokens(user.id)
    record("password_change", user, f"user:{user.id}")
    db.session.commit()


def list_users(actor: User, role: str | None = None, search: str | None = None, limit: int | None = None
               ) -> list[User]:
    """Accounts, optionally of one role and matching ``search`` (e-mail, name or phone substring).

    Administrators and bureau staff only. Raises Forbidden.
    """
    policy.check(actor, "user.list")
    query = select(User).order_by(User.role, User.email)
    if role:
        query = query.where(User.role == role)
    search = _BAD_CHARS.sub("", search or "")  # PostgreSQL refuses NUL in a comparison: never a 500
    if search.strip():
        pattern = "%" + search.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"),
                                User.phone.ilike(pattern, escape="\\")))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions. Raises Forbidden, NotFound."""
    policy.check(actor, "user.activate")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    if user.id == actor.id:
        raise Forbidden("不能停用自己的账户。")
    changed = user.is_active_account != active
    user.is_active_account = active
    if not active:
        close_all_sessions(user.id)
        revoke_all_tokens(user.id)
    if changed:
        record("account_activate" if active else "account_deactivate", actor, f"user:{user.id}",
               {"email": user.email})
    db.session.commit()
    return user


# --- administrator use cases ---------------------------------------------------------------------------------

def register_user(actor: User, email: str, role: str, password: str, display_name: str | None = None,
                  enterprise_uscc: str | None = None, jurisdiction_code: str | None = None,
                  phone: str | None = None, body_code: str | None = None) -> User:
    """Create an account on behalf of ``actor`` (the roles ``registry.policy.creatable_roles`` allows), then as ``create_user``; the new user
    must change the password at first sign-in.

    Raises Forbidden (actor may not create that role), ValidationFailed, Conflict (e-mail taken).
    """
    if not policy.can(actor, "user.create"):
        raise Forbidden("只有系统管理员或市局人员可以创建用户。")
    if role in ROLES:
        policy.check(actor, "user.create", role)
    _refuse_bad_chars(email=email, display_name=display_name, enterprise=enterprise_uscc,
                      jurisdiction=jurisdiction_code, phone=phone, certification_body=body_code)
    begin_write()
    return create_user(email, role, password, display_name=(display_name or "").strip()[:64] or None,
                       enterprise_uscc=enterprise_uscc, jurisdiction_code=jurisdiction_code,
                       phone=(phone or "").strip()[:32] or None, actor=actor, must_change_password=True,
                       body_code=body_code)


def get_user(actor: User, user_id: int) -> User:
    """One account (administrators and bureau staff). Raises Forbidden, NotFound."""
    policy.check(actor, "user.list")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    return user


# NUL (PostgreSQL refuses it), other control characters and lone surrogates: bad input, never stored or compared.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _refuse_bad_chars(**fields) -> None:
    """Raises ValidationFailed naming each field whose text holds a control character."""
    errors = {name: ["含有无效字符。"] for name, value in fields.items() if value and _BAD_CHARS.search(value)}
    if errors:
        raise ValidationFailed(errors)


def _admin_target(actor: User, user_id: int) -> User:
    policy.check(actor, "user.edit")
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    return user


def update_user(actor: User, user_id: int, display_name: str, phone: str | None = None,
                jurisdiction_code: str | None = None) -> User:
    """Change an account's display name, phone and (town reviewers) jurisdiction. Administrators only.

    Role, e-mail and enterprise stay as created: a different role is a different account.
    Raises Forbidden, NotFound, ValidationFailed.
    """
    user = _admin_target(actor, user_id)
    _refuse_bad_chars(display_name=display_name, phone=phone, jurisdiction=jurisdiction_code)
    errors: dict[str, list[str]] = {}
    name = (display_name or "").strip()
    if not name or len(name) > 64:
        errors["display_name"] = ["请填写姓名（不超过 64 个字符）。"]
    phone = (phone or "").strip()
    if len(phone) > 32:
        errors["phone"] = ["电话不能超过 32 个字符。"]
    jurisdiction = None
    if user.role == ROLE_TOWN:
        jurisdiction = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == (jurisdiction_code or "").strip()))
        if jurisdiction is None:
            errors["jurisdiction"] = ["镇街审核员必须关联镇街（行政区划代码）。"]
    if errors:
        raise ValidationFailed(errors)
    before = _account_scope(user)
    user.display_name = name
    user.phone = phone or None
    if jurisdiction is not None:
        user.jurisdiction_id = jurisdiction.id
        user.jurisdiction = jurisdiction
    after = _account_scope(user)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record("account_update", actor, f"user:{user.id}", {"email": user.email, "changes": changes})
    db.session.commit()
    return user


def reset_password(actor: User, user_id: int, new_password: str) -> None:
    """An administrator sets another user's password; every session of that user ends.

    Raises Forbidden (not an administrator, or the actor's own account: use ``change_password``), NotFound,
    ValidationFailed (too short).
    """
    user = _admin_target(actor, user_id)
    if user.id == actor.id:
        raise Forbidden("请在“修改密码”页面修改自己的密码。")
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]})
    user.password_hash = hash_password(new_password)
    user.must_change_password = True  # the administrator knows it: the user chooses their own at next sign-in
    close_all_sessions(user.id)
    revoke_all_tokens(user.id)
    record("password_reset", actor, f"user:{user.id}", {"email": user.email})
    db.session.commit()


def _account_scope(user: User) -> dict:
    """What an account may reach and how it is named: the fields an ``account_update`` event records."""
    return {"role": user.role, "jurisdiction": user.jurisdiction.code if user.jurisdiction else None,
            "enterprise": user.enterprise.uscc if user.enterprise else None,
            "display_name": user.display_name, "phone": user.phone}
