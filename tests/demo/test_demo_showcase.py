"""make demo leaves every feature visible on first sign-in (issue 12 item 21): monthly snapshots, surveillance and
expiry reminders, e-mail on for every demo account (the mail sink in development), an account for every expert a draw seated, and a printed list of which account
holds which example."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.awards.models import Expert, PanelMember
from registry.extensions import db
from registry.models import User
from registry.targets.models import TargetSnapshot
from workflows.models import Notification, NotificationPreference, Outbox


def test_seed_demo_shows_every_feature_and_says_who_holds_what(runner):
    assert runner.invoke(args=["seed-indicators"]).exit_code == 0
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    out = result.output

    assert db.session.scalar(select(func.count()).select_from(TargetSnapshot)) == 6  # the last six month-ends
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"surveillance", "expiry"} <= kinds
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0  # seeding queues no mail
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)
                             .where(NotificationPreference.email_enabled.is_(True))) >= 8

    seated = db.session.scalars(select(Expert).join(PanelMember, PanelMember.expert_id == Expert.id)
                                .where(PanelMember.active.is_(True))).all()
    assert seated and all(e.user_id for e in seated)

    assert "哪个账号看什么" in out
    lines = out.split("哪个账号看什么", 1)[1].splitlines()[1:]
    listed = [line.split()[0] for line in lines if line.split() and "@" in line.split()[0]]
    assert len(listed) >= 6
    assert all(db.session.scalar(select(User.id).where(User.email == email)) for email in listed), listed
    assert "被退回补正的申请" in out and "待声明利益冲突" in out and "年度监督提醒" in out and "证书到期提醒" in out
    assert "qiye@linhai.example" in out and "开发邮箱" in out

    again = runner.invoke(args=["seed-demo"])  # idempotent: nothing twice
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(TargetSnapshot)) == 6
