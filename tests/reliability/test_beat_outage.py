"""Deadlines missed while beat was down (reliability.md, "Background work"): no sweep runs from Monday 2 March to
Thursday 12 March 2026 while 10 stage deadlines fall due, 1 application enters its reminder window and the
standards 3 applications wait on are published. Then beat comes back: one sweep at the later injected ``now``, run
by the real worker, applies everything; two more sweeps (same time, an hour later) add nothing.
Figures: missed = 0, duplicates = 0 (escalations, reminders, automatic transitions, webhook deliveries), early = 0
(an application not yet due is neither escalated nor reminded)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from registry.clock import aware
from registry.extensions import db
from registry.models import Standard
from tests.background import finished, send, subscribe, wait_for
from tests.workflows.conftest import own_standard
from tests.workflows.receivers import WebhookSink
from workflows import engine
from workflows.models import Application, Notification, StageRun, Transition

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Linhai: beat stops
T1 = datetime(2026, 3, 12, 3, 0, tzinfo=timezone.utc)  # Thursday 11:00 ten days later: beat is back
OVERDUE = 10
WAITING_ON_STANDARD = 3


def _open_run(application_id: int) -> StageRun:
    return db.session.scalar(select(StageRun).where(StageRun.application_id == application_id,
                                                    StageRun.ended_at.is_(None)))


def _snapshot(ids: list[int]) -> tuple:
    db.session.rollback()
    notes = Counter((n.application_id, n.kind) for n in db.session.scalars(
        select(Notification).where(Notification.kind.in_(("reminder", "escalation")))))
    autos = Counter(db.session.scalars(select(Transition.application_id).where(
        Transition.action == "standard_published", Transition.application_id.in_(ids))))
    return notes, autos


def test_one_sweep_after_beat_comes_back_applies_everything_once(app, cast, draft, celery_worker):
    queue = celery_worker.service_urls["queue"]
    overdue = []
    for i in range(OVERDUE):  # submitted Monday to Wednesday: due the next Monday to Wednesday
        application = draft(product=f"产品{i}")
        engine.apply(application.id, "submit", cast.applicant, now=T0 + timedelta(hours=6 * i))
        overdue.append(application.id)
    in_window = draft(product="临近到期").id  # due Monday 16th: reminder window opens Thursday 12th
    engine.apply(in_window, "submit", cast.applicant, now=T1 - timedelta(days=3))
    not_due = draft(product="刚提交").id  # due the week after
    engine.apply(not_due, "submit", cast.applicant, now=T1 - timedelta(hours=2))
    standard = own_standard(cast.enterprise, status="drafting")
    waiting = []
    for i in range(WAITING_ON_STANDARD):
        application_id = draft(product=f"待标准{i}").id
        engine.apply(application_id, "submit", cast.applicant, now=T0)
        engine.apply(application_id, "recommend", cast.town, now=T0)
        engine.apply(application_id, "accept", cast.bureau, now=T0)
        engine.apply(application_id, "link_standard", cast.applicant, now=T0, payload={"standard_id": standard.id})
        waiting.append(application_id)
    # While beat is down: the standard is published (and its own advance job lost with the workers).
    db.session.execute(update(Standard).where(Standard.id == standard.id).values(status="published"))
    db.session.commit()
    assert all(aware(_open_run(i).due_at) <= T1 for i in overdue)
    run = _open_run(in_window)
    assert aware(run.remind_at) <= T1 < aware(run.due_at)
    run = _open_run(not_due)
    assert T1 < aware(run.remind_at)

    with WebhookSink() as webhook:
        subscribe(cast.bureau, webhook.url, email=False)  # the escalations
        subscribe(cast.applicant, webhook.url, email=False)  # the moves: 申请认证 is the applicant's stage
        first = send(app, "workflows.sweep_deadlines", queue, now=T1.isoformat())
        wait_for(lambda: finished(celery_worker, first) == 1, 30, "the sweep", [celery_worker])
        after_one, autos_one = _snapshot(overdue + waiting)
        again = [send(app, "workflows.sweep_deadlines", queue, now=moment.isoformat())
                 for moment in (T1, T1 + timedelta(hours=1))]
        wait_for(lambda: all(finished(celery_worker, t) == 1 for t in again), 30, "the later sweeps", [celery_worker])
        sent = Counter(db.session.execute(select(Notification.user_id, Notification.effect_key).where(
            Notification.user_id.in_((cast.bureau.id, cast.applicant.id)),
            Notification.created_at >= T1 - timedelta(minutes=1))).all())
        expected_keys = {f"{key}:webhook" for _user, key in sent}
        wait_for(lambda: expected_keys <= set(webhook.effect_keys()), 30, "the webhooks", [celery_worker])
        after_three, autos_three = _snapshot(overdue + waiting)
        deliveries = Counter(webhook.effect_keys())

    escalated = {i for i in overdue if after_one[(i, "escalation")] == 2}  # the bureau and the town
    moved = {i for i in waiting if db.session.get(Application, i).stage == "body_choice"}
    missed = (OVERDUE - len(escalated)) + (WAITING_ON_STANDARD - len(moved)) + (1 - after_one[(in_window, "reminder")])
    duplicates = sum(n - 1 for n in deliveries.values() if n > 1) + sum(n - 1 for n in autos_three.values() if n > 1) \
        + sum(n - 2 for (i, kind), n in after_three.items() if kind == "escalation" and n > 2) \
        + sum(n - 1 for (i, kind), n in after_three.items() if kind == "reminder" and n > 1)
    early = sum(n for (i, kind), n in after_three.items() if i == not_due or (i == in_window and kind == "escalation"))
    print(f"\nbeat down {T1 - T0}: {OVERDUE} deadlines passed, 1 reminder window opened, {WAITING_ON_STANDARD} "
          f"automatic moves due; after one sweep: missed = {missed}, then 3 sweeps in all: duplicates = "
          f"{duplicates}, early = {early}; webhooks delivered {len(deliveries)} (each {set(deliveries.values())})")
    assert (missed, duplicates, early) == (0, 0, 0)
    assert after_three == after_one and autos_three == autos_one == {i: 1 for i in waiting}
    by_user = Counter(user for user, _key in sent)  # the bureau: an escalation each; the applicant: each move
    assert (by_user[cast.bureau.id], by_user[cast.applicant.id]) == (OVERDUE, WAITING_ON_STANDARD)
    assert len(expected_keys) == OVERDUE + WAITING_ON_STANDARD
    assert set(deliveries) == expected_keys
    assert db.session.scalar(select(func.count(StageRun.id)).where(
        StageRun.application_id.in_(overdue), StageRun.escalated_at.is_(None), StageRun.ended_at.is_(None))) == 0
