"""Telling experts they were seated on a panel (drawn, or promoted from substitute after a declared conflict): an
in-app message, and their e-mail / webhook channels, through the workflow's outbox like every other message.
The message never names the rest of the panel; the applicant is never told who sits on it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.awards.models import AwardEntry, Expert, PanelMember
from registry.extensions import db
from registry.models import User

ROLE_WORDS = {"leader": "组长", "member": "成员"}


def notify_seats(seats: list[PanelMember], now: datetime) -> list[tuple[int, str]]:
    """Add one message per seated expert with an active account (caller commits, then publishes the jobs)."""
    from workflows.links import path_for
    from workflows.notify import notify

    jobs: list[tuple[int, str]] = []
    for seat in seats:
        if not seat.active:
            continue
        user = db.session.scalar(select(User).join(Expert, Expert.user_id == User.id).where(
            Expert.id == seat.expert_id, User.is_active_account.is_(True)))
        entry = db.session.get(AwardEntry, seat.entry_id)
        if user is None or entry is None:
            continue
        # The expert's page for this seat: the declaration first (the application itself is sealed until then).
        jobs += notify([user], key=f"award-seat:m{seat.id}", kind="assignment", now=now,
                       application_id=entry.application_id, link=path_for("awards.expert_review", entry_id=entry.id),
                       title=f"评审任务：{entry.enterprise.name}（{entry.round.name}）",
                       body=f"您已被抽取为该申报的评审专家（{ROLE_WORDS.get(seat.role, seat.role)}）。"
                            "请先登录声明是否存在利益冲突，声明后方可查阅材料并评分。")
    return jobs
