"""API-token use cases: list, issue, revoke.

Who may do what: every account sees and revokes its own tokens; an administrator issues tokens for any active
account and sees and revokes anyone's. Another account's token is NotFound to everyone else (ids cannot be probed).
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from registry import policy
from registry.audit.trail import record
from registry.auth import tokens
from registry.database import begin_write
from registry.extensions import db
from registry.models import ApiToken, User
from registry.models.base import utcnow
from registry.services.errors import NotFound, ValidationFailed

_BAD_CHARS = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def list_tokens(actor: User, user_id: int | None = None) -> list[ApiToken]:
    """The tokens of ``user_id`` (default: the actor's own), newest first. Raises NotFound."""
    owner_id = actor.id if user_id is None else user_id
    policy.check(actor, "token.manage", owner_id)
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner_id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def clean_days(days) -> int:
    """A token lifetime in days (1 .. API_TOKEN_MAX_DAYS); empty means the default. Raises ValidationFailed."""
    if days in (None, ""):
        return current_app.config["API_TOKEN_DAYS"]
    longest = current_app.config["API_TOKEN_MAX_DAYS"]
    try:
        value = int(str(days).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= longest:
        raise ValidationFailed({"days": [f"有效期须为 1 至 {longest} 天。"]})
    return value


def clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or _BAD_CHARS.search(name):
        raise ValidationFailed({"label": ["请填写令牌名称（不超过 64 个字符）。"]})
    return name


def issue(actor: User, user_id: int, name: str | None, days=None) -> str:
    """Issue a named token for an active account (administrators only); returns the plain token, shown once.

    Raises Forbidden, NotFound, ValidationFailed (name, days, or the account is disabled).
    """
    policy.check(actor, "token.issue")
    errors: dict[str, list[str]] = {}
    for check, value in ((clean_name, name), (clean_days, days)):
        try:
            check(value)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    if not user.is_active:
        errors.setdefault("label", []).append("该账户已停用，不能签发令牌。")
    if errors:
        raise ValidationFailed(errors)
    return tokens.issue_token(user, clean_name(name), clean_days(days), actor=actor)


def revoke(actor: User, token_id: int) -> ApiToken:
    """Revoke one token (its owner or an administrator); revoking a revoked token changes nothing. Raises NotFound."""
    begin_write()
    row = db.session.get(ApiToken, token_id)
    if row is None or not policy.can(actor, "token.manage", row.user_id):
        db.session.rollback()
        raise NotFound("未找到该令牌。")
    if not row.revoked:
        row.revoked = True
        row.revoked_at = utcnow()
        record("token_revoke", actor, f"user:{row.user_id}", {"token_id": row.id, "label": row.label})
    db.session.commit()
    return row


def revoke_all_of(email: str) -> int:
    """Revoke every token of the account with this e-mail (the CLI). Raises NotFound."""
    begin_write()
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None:
        db.session.rollback()
        raise NotFound(f"未找到账户 {email}。")
    count = tokens.revoke_all(user.id)
    if count:
        record("token_revoke", None, f"user:{user.id}", {"email": user.email, "count": count})
    db.session.commit()
    return count
