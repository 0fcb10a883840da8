"""Accounts (用户) and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import TimestampMixin
from registry.models.catalogues import CertificationBody, Jurisdiction
from registry.models.enterprise import Enterprise

ROLE_ENTERPRISE = "enterprise"
ROLE_TOWN = "town"
ROLE_BUREAU = "bureau"
ROLE_EXPERT = "expert"
ROLE_ADMIN = "admin"
ROLE_CERTIFIER = "certifier"  # staff of one certification body (认证机构)
ROLES = (ROLE_ENTERPRISE, ROLE_TOWN, ROLE_BUREAU, ROLE_EXPERT, ROLE_ADMIN, ROLE_CERTIFIER)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # certifier accounts: the body they work for (they see only the applications assigned to it)
    certification_body_id: Mapped[int | None] = mapped_column(ForeignKey("certification_bodies.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when someone else chose the password (an account created by staff, a reset): the next sign-in leads to
    # the change-password page and nothing else opens until the user has chosen their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    enterprise: Mapped[Enterprise | None] = relationship()
    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    certification_body: Mapped[CertificationBody | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for /api/v1; only its SHA-256 is stored. Valid until ``expires_at`` unless revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(64))  # the token's name, chosen by whoever issued it
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """A signed-in browser session, kept server-side so that logout and password changes end it for good."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(200))
