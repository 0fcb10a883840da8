"""make demo leaves every feature visible on first sign-in (issue 12 item 21): monthly snapshots, surveillance and
expiry reminders, e-mail on for every demo account with every demo message already delivered to the mail sink (development), a
finished award round with its honours, an account for every expert a draw seated, and a printed list of which
account holds which example."""
from __future__ import annotations

from sqlalchemy import func, select

from registry import clock
from registry.awards.models import AwardEntry, AwardRound, Expert, PanelMember
from registry.extensions import db
from registry.models import Honour, User
from registry.targets.models import TargetSnapshot
from workflows.models import Notification, NotificationPreference, Outbox
from workflows.notify import SEND_TASK


def test_seed_demo_shows_every_feature_and_says_who_holds_what(app, runner, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SINK", True)  # as in development (make demo)
    monkeypatch.setitem(app.config, "INSTANCE_DIR", str(tmp_path))
    assert runner.invoke(args=["seed-indicators"]).exit_code == 0
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    out = result.output

    assert db.session.scalar(select(func.count()).select_from(TargetSnapshot)) == 6  # the last six month-ends
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"surveillance", "expiry"} <= kinds
    # The development mailbox is not empty on first sign-in: every demo message is a delivered letter there.
    notes = db.session.scalar(select(func.count()).select_from(Notification))
    mail = select(func.count()).select_from(Outbox).where(Outbox.task == SEND_TASK)
    assert db.session.scalar(mail.where(Outbox.status == "done")) == notes
    assert db.session.scalar(mail.where(Outbox.status != "done")) == 0
    letters = list((tmp_path / "mail").glob("*.eml"))
    assert len(letters) == notes and notes > 50
    # A finished round: last year's, through committee, notice and close, with its honours on the winners' records.
    finished = db.session.scalar(select(AwardRound).where(AwardRound.status == "finalised", AwardRound.mode == "award"))
    assert finished is not None and finished.year < clock.today().year
    honours = db.session.scalars(select(Honour).join(AwardEntry, AwardEntry.honour_id == Honour.id)
                                 .where(AwardEntry.round_id == finished.id)).all()
    assert sorted(h.honour_type for h in honours) == ["quality_award", "quality_award_nomination"]
    assert all(h.awarded_on < clock.today() for h in honours)
    # The winner is the enterprise holding the award itself (not the nomination); rows come back in no set order
    # (PostgreSQL differs from SQLite), so the check names the honour and accepts any of that enterprise's accounts.
    award = next(h for h in honours if h.honour_type == "quality_award")
    winners = set(db.session.scalars(select(User.email).where(User.enterprise_id == award.enterprise_id)))
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
    assert f"{finished.name}获奖企业" in out and "待评分" in out
    upward = db.session.scalar(select(AwardRound).where(AwardRound.mode == "recommend"))
    assert f"{upward.name}：已登记台州市评定结果" in out
    assert any(line.split()[0] in winners for line in lines if line.split()), (winners, listed)

    again = runner.invoke(args=["seed-demo"])  # idempotent: nothing twice
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(TargetSnapshot)) == 6
