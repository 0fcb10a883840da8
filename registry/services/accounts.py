"""Account use cases: sign-in, creating users, changing passwords."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from registry.auth.sessions import close_all_sessions
from registry.extensions import db
from registry.models import ROLES, Enterprise, Jurisdiction, User
from registry.models.base import utcnow
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown user and wrong password).

    Upgrades the stored hash when argon2 parameters have changed, and records the login time.
    """
    email = normalise_email(email)
    # PostgreSQL refuses NUL in a text comparison (a 500); no address holds one, so it is an unknown user.
    user = None if "\x00" in email else db.session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_user(email: str, role: str, password: str, display_name: str | None = None,
                enterprise_uscc: str | None = None, jurisdiction_code: str | None = None,
                phone: str | None = None) -> User:
    """Create an account; enterprise users need an enterprise, town reviewers a jurisdiction.

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
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == (enterprise_uscc or "").upper()))
        if enterprise is None:
            errors.setdefault("enterprise", []).append("企业用户必须关联已登记的企业(统一社会信用代码)。")
    if role == "town":
        jurisdiction = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == (jurisdiction_code or "")))
        if jurisdiction is None:
            errors.setdefault("jurisdiction", []).append("镇街审核员必须关联镇街(行政区划代码)。")
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict(f"邮箱 {email} 已被使用。", field="email")
    user = User(email=email, role=role, password_hash=hash_password(password),
                display_name=display_name or email.split("@")[0], phone=phone,
                enterprise_id=enterprise.id if enterprise else None,
                jurisdiction_id=jurisdiction.id if jurisdiction else None)
    db.session.add(user)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end every session of the user. Raises ValidationFailed."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed({"current_password": ["当前密码不正确。"]})
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]})
    user.password_hash = hash_password(new)
    close_all_sessions(user.id)
    db.session.commit()


def list_users(actor: User, role: str | None = None) -> list[User]:
    """Every account (administrators and bureau staff). Raises Forbidden."""
    if actor.role not in ("admin", "bureau"):
        raise Forbidden("只有系统管理员或市局人员可以管理用户。")
    query = select(User).order_by(User.role, User.email)
    if role:
        query = query.where(User.role == role)
    return list(db.session.scalars(query))


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions. Raises Forbidden, NotFound."""
    if actor.role != "admin":
        raise Forbidden("只有系统管理员可以停用或启用用户。")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    if user.id == actor.id:
        raise Forbidden("不能停用自己的账户。")
    user.is_active_account = active
    if not active:
        close_all_sessions(user.id)
    db.session.commit()
    return user
