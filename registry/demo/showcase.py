"""What the demo shows on first sign-in beyond its data: monthly target snapshots, certificate surveillance and
expiry reminders, e-mail switched on for every demo account (in development it lands in the mail sink), and the
list of which printed account holds which example, so a visitor knows whom to sign in as."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from registry import clock
from registry.extensions import db
from registry.models import Setting, User

MARKER_KEY = "demo.showcase_seeded"
SNAPSHOT_MONTHS = 6


def _month_ends(today: date, count: int) -> list[date]:
    ends, day = [], today.replace(day=1) - timedelta(days=1)
    for _ in range(count):
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return sorted(ends)


def seed_demo_showcase() -> dict:
    """Take the last months' target snapshots and send the certificate reminders due today, once; returns counts
    (empty when already done)."""
    from registry.targets.jobs import take_snapshot
    from registry.targets.models import Indicator
    from workflows.services.sweeps import sweep_certificates

    if db.session.get(Setting, MARKER_KEY) is not None:
        return {}
    made = {"snapshots": 0, "reminders": 0}
    if db.session.scalar(select(func.count()).select_from(Indicator)):
        for day in _month_ends(clock.today(), SNAPSHOT_MONTHS):
            take_snapshot(day)
            made["snapshots"] += 1
    made["reminders"] = sweep_certificates(clock.now())
    # From here on every demo account also takes e-mail, which in development lands in the mail sink: the first
    # action a visitor takes shows up on the 开发邮箱 page (seeding itself queues no mail for the worker).
    made["mailboxes"] = _email_everyone()
    made["letters"] = _deliver_demo_mail()
    db.session.add(Setting(key=MARKER_KEY, value=made))
    db.session.commit()
    return made


def _email_everyone() -> int:
    """Every demo account takes e-mail (in development it lands in the mail sink, the admin's 开发邮箱 page)."""
    from workflows.models import NotificationPreference

    have = set(db.session.scalars(select(NotificationPreference.user_id)))
    users = [u for u in db.session.scalars(select(User).where(User.email.like("%@linhai.example"))) if u.id not in have]
    db.session.add_all(NotificationPreference(user_id=u.id, email_enabled=True) for u in users)
    db.session.flush()
    return len(users)


def _deliver_demo_mail() -> int:
    """Every message the demo wrote so far as an e-mail in the development mailbox, so the 开发邮箱 page is not empty
    on first sign-in: one e-mail outbox row per message (the effect key ``notify`` gives it), each delivered at once
    through the worker's own use case. Only with the mail sink on (make demo): demo addresses reach no real server."""
    from workflows import mailsink
    from workflows.models import Notification, Outbox
    from workflows.notify import SEND_TASK
    from workflows.services import outbox

    if not mailsink.enabled():
        return 0
    now = clock.now()
    queued = set(db.session.scalars(select(Outbox.effect_key).where(Outbox.effect_key.like("%:email"))))
    rows = [Outbox(effect_key=f"{note.effect_key}:email", task=SEND_TASK, created_at=now, next_attempt_at=now,
                   payload={"notification_id": note.id, "channel": "email"})
            for note in db.session.scalars(select(Notification).order_by(Notification.id))
            if f"{note.effect_key}:email" not in queued]
    db.session.add_all(rows)
    db.session.commit()
    return sum(1 for row in rows if outbox.run(row.id, now) == "done")


def _enterprise_account(enterprise_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.role == "enterprise", User.enterprise_id == enterprise_id)
                             .order_by(User.id))


def example_accounts() -> list[dict]:
    """(email, what it holds) for each account a visitor should try, in the order of a working day."""
    from registry.awards.models import AwardRound, Expert, PanelMember
    from registry.models import Certification
    from workflows.models import Application, Notification
    from workflows.services.inbox import inbox

    out: list[dict] = []

    def add(user: User | None, text: str) -> None:
        if user is not None:
            out.append({"email": user.email, "holds": text})

    def by_email(email: str) -> User | None:
        return db.session.scalar(select(User).where(User.email == email))

    qiye = by_email("qiye@linhai.example")
    if qiye is not None:
        own = db.session.scalars(select(Application.status).where(Application.enterprise_id == qiye.enterprise_id))
        add(qiye, f"本企业的品字标申请 {len(list(own))} 件（一件待镇街推荐、一件草稿）和完整的质量档案")
    returned = db.session.scalar(select(Application).where(Application.status == "returned").order_by(Application.id))
    if returned is not None:
        add(_enterprise_account(returned.enterprise_id), f"被退回补正的申请“{returned.title}”（退回理由、补正后重新提交）")
    for note_kind, words in (("surveillance", "年度监督提醒"), ("expiry", "证书到期提醒")):
        note = db.session.scalar(select(Notification).join(User, User.id == Notification.user_id)
                                 .where(Notification.kind == note_kind, User.role == "enterprise"))
        if note is not None:
            add(db.session.get(User, note.user_id), f"{words}（消息与开发邮箱中的邮件）")
    for email in ("duqiao@linhai.example", "shiju@linhai.example"):
        user = by_email(email)
        if user is not None:
            _items, total = inbox(user)
            add(user, f"待办 {total} 件（批量推荐、退回、资格审查）；申报总览" if email.startswith("shiju")
                else f"待办 {total} 件（可批量推荐）；本镇街的申报总览和镇街考核")
    certifier = by_email("renzheng@linhai.example")
    if certifier is not None:
        _items, total = inbox(certifier)
        add(certifier, f"认证机构待办 {total} 件（受理、产品检验、工厂审核、评价与决定；只见本机构受理的申请）")
    from registry.awards.expert_tasks import pending

    seated = db.session.scalars(select(User).join(Expert, Expert.user_id == User.id).join(
        PanelMember, PanelMember.expert_id == Expert.id).where(PanelMember.active.is_(True))
        .order_by(PanelMember.entry_id, PanelMember.position)).unique().all()
    now = clock.now()
    for user in seated:  # the experts with work now: a declaration to make or scores to give
        tasks = pending(user, now)
        if tasks:
            words = "、".join(f"{t['enterprise_name']}{'待声明利益冲突' if t['kind'] == 'declare' else '待评分'}"
                             for t in tasks)
            add(user, f"评审专家：{words}（待办和首页列出，含办理期限）")
    finished = db.session.scalar(select(AwardRound).where(AwardRound.status == "finalised",
                                                          AwardRound.mode == "award"))
    if finished is not None:
        from registry.awards.models import AwardEntry

        winner = db.session.scalar(select(AwardEntry).where(
            AwardEntry.round_id == finished.id, AwardEntry.honour_id.is_not(None)).order_by(AwardEntry.rank))
        if winner is not None:
            add(_enterprise_account(winner.enterprise_id),
                f"{finished.name}获奖企业：荣誉已记入本企业质量档案，申报页有评审得分、公示和表彰记录")
        add(by_email("shiju@linhai.example"), f"政府质量奖：{finished.name}已走完全程（审议、公示、表彰），本届在材料评审")
    upward = db.session.scalar(select(AwardRound).where(AwardRound.status == "finalised", AwardRound.mode == "recommend"))
    if upward is not None:
        from registry.awards.models import AwardEntry

        outcomes = list(db.session.scalars(select(AwardEntry.outcome).where(AwardEntry.round_id == upward.id,
                                                                            AwardEntry.outcome.is_not(None))))
        add(by_email("shiju@linhai.example"),
            f"{upward.name}：已登记台州市评定结果（{upward.decision_number}），获奖 {outcomes.count('won')} 家、"
            f"未获奖 {outcomes.count('not_won')} 家；含质量创新奖，获奖的荣誉记入企业档案")
    admin = by_email("admin@linhai.example")
    add(admin, "开发邮箱（系统发出的全部邮件）、消息投递、用户与系统设置" +
        ("；已表彰的往届政府质量奖" if finished else ""))
    certified = db.session.scalar(select(func.count()).select_from(Certification)
                                  .where(Certification.number.like("CZJM-DEMO-%")))
    if certified and out:
        out.append({"email": "shiju@linhai.example", "holds": f"月度快照（质量目标 → 月度快照），{certified} 张演示证书的获证记录"})
    return out
