"""Time-driven work the beat jobs run: reminders before a deadline, escalation after it, stages that complete by
themselves (a standard published, a notice window closed), and certificate surveillance/expiry reminders.

Each effect is claimed with a compare-and-set or a unique effect key, so running a sweep twice does nothing twice;
automatic actions go through ``engine.apply`` like anybody's.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update

from registry import policy, settings
from registry.clock import local_date
from registry.database import begin_write
from registry.extensions import db
from registry.models import Certification, User
from registry.services.errors import DomainError
from workflows import definitions, dispatch, engine, recipients
from workflows.models import Application, Notification, StageRun, Transition
from workflows.links import application_path
from workflows.notify import notify, notify_runs
from workflows.spec import IN_PROGRESS

log = logging.getLogger(__name__)


def _claim_runs(run_ids: list[int], column: str, now: datetime) -> set[int]:
    """Mark the runs reminded/escalated (compare-and-set: only those not yet marked, still open and running);
    returns the ids this call claimed."""
    if not run_ids:
        return set()
    col = getattr(StageRun, column)
    return set(db.session.connection().execute(
        update(StageRun).where(StageRun.id.in_(run_ids), col.is_(None), StageRun.ended_at.is_(None),
                               StageRun.paused_at.is_(None)).values({column: now}).returning(StageRun.id)).scalars())


def _waiting_on(stage):
    """SQL condition on ``User`` joined to a ``StageRun``, its ``Application`` and ``Enterprise``: the stage's
    expected actors who have not acted in that run yet."""
    acted = exists().where(Transition.stage_run_id == StageRun.id, Transition.actor_id == User.id)
    return recipients.any_of_columns(stage.actors - {"system"}, stage.name) & ~acted


def _open_runs(condition, limit: int):
    return db.session.execute(
        select(StageRun, Application).join(Application, Application.id == StageRun.application_id)
        .where(StageRun.ended_at.is_(None), StageRun.paused_at.is_(None), Application.status == IN_PROGRESS,
               StageRun.stage == Application.stage, condition).order_by(StageRun.id).limit(limit)).all()


def _warn(found, kind: str, column: str, now: datetime, message) -> int:
    """Claim the runs in ``found`` for ``column`` (one UPDATE ... RETURNING) and write their messages set-based:
    two statements per group of runs that say the same thing (definition, stage, due time), one commit.
    ``message(stage, due)`` -> (recipients condition, title prefix and suffix around the application's title,
    body). Returns how many runs were warned."""
    if not found:
        return 0
    begin_write(keep_loaded=True)  # the runs and applications just read stay loaded
    claimed = _claim_runs([run.id for run, _application in found], column, now)
    groups: dict[tuple, list] = {}
    for run, application in found:
        if run.id in claimed:
            workflow = engine.definition_of(application)
            groups.setdefault((workflow.name, workflow.version, run.stage, _local(run.due_at)), []).append(
                (run, application))
    jobs = []
    for (_name, _version, _stage, due), group in groups.items():
        run, application = group[0]
        stage = engine.definition_of(application).stage(run.stage)
        condition, title, body = message(stage, due)
        link = application_path(application).rsplit(str(application.id), 1)
        day = _once_per_deadline(kind, run).rsplit(":d", 1)[1]
        jobs += notify_runs([r.id for r, _a in group], condition, key=(f"{kind}:r", f":d{day}"),
                            kind="reminder" if kind == "remind" else "escalation", title=title, body=body,
                            link=(link[0], link[1]), now=now)
    db.session.commit()
    dispatch.publish(jobs)
    return len(claimed)


def send_reminders(now: datetime, limit: int = 500) -> int:
    """Remind whoever has not acted yet, once per stage run, when the reminder time has come."""
    def message(stage, due):
        return _waiting_on(stage), ("办理提醒：", " 即将到期"), f"请在 {due} 前办理。"

    return _warn(_open_runs(and_(StageRun.reminded_at.is_(None), StageRun.remind_at <= now, StageRun.due_at > now),
                            limit), "remind", "reminded_at", now, message)


def escalate_overdue(now: datetime, limit: int = 500) -> int:
    """After the deadline, tell the bureau (and those still waited on), once per stage run. Stages that close by
    themselves on timeout (a notice window) are left to ``apply_automatic``."""
    found = []
    for run, application in _open_runs(and_(StageRun.escalated_at.is_(None), StageRun.due_at <= now), limit):
        stage = engine.definition_of(application).stage(application.stage)
        if not any(auto.on_timeout for auto in stage.auto):
            found.append((run, application))

    def message(stage, due):
        return (recipients.holder_columns("bureau", stage.name) | _waiting_on(stage),
                ("超期督办：", f"({stage.label})"), f"办理期限 {due} 已过，请尽快处理。")

    return _warn(found, "escalate", "escalated_at", now, message)


def apply_automatic(now: datetime, limit: int = 500) -> int:
    """Apply stages' automatic actions as the system: conditions met (``Auto.when``) or windows closed."""
    applied = 0
    for name, versions in definitions.registry().items():
        for version, workflow in versions.items():
            for stage in workflow.stages:
                for auto in stage.auto:
                    query = select(Application.id, Application.version).where(
                        Application.workflow == name, Application.definition_version == version,
                        Application.stage == stage.name, Application.status == IN_PROGRESS)
                    if auto.on_timeout:
                        query = query.where(Application.due_at <= now)
                    for application_id, app_version in db.session.execute(query.order_by(Application.id).limit(limit)).all():
                        application = db.session.get(Application, application_id)
                        if auto.when is not None and auto.when(application, None, {}) is not None:
                            continue
                        try:
                            engine.apply(application_id, auto.action, None, version=app_version, now=now)
                            applied += 1
                        except DomainError as exc:  # someone acted first, or a guard holds it (an open objection)
                            log.info("automatic %s on %s skipped: %s", auto.action, application_id, exc.message)
    db.session.commit()
    return applied


def sweep_deadlines(now: datetime) -> dict:
    return {"reminded": send_reminders(now), "escalated": escalate_overdue(now), "automatic": apply_automatic(now)}


def advance_for_standard(standard_id: int, now: datetime) -> int:
    """Call when a standard is saved: applications waiting on it move on if it is now published."""
    ids = db.session.execute(select(Application.id, Application.version).where(
        Application.standard_id == standard_id, Application.status == IN_PROGRESS,
        Application.stage == "standard_drafting")).all()
    moved = 0
    for application_id, version in ids:
        try:
            engine.apply(application_id, "standard_published", None, version=version, now=now)
            moved += 1
        except DomainError:
            pass
    return moved


def sweep_certificates(now: datetime) -> int:
    """Yearly surveillance and expiry reminders for certificates won through a workflow; each once (effect key)."""
    today = local_date(now)  # the Linhai date: 02:00 Beijing time is already the next day
    surv_days = int(settings.get("pinzibiao.surveillance_notice_days"))
    expiry_days = int(settings.get("pinzibiao.expiry_notice_days"))
    sent = 0
    rows = db.session.execute(select(Application, Certification).join(
        Certification, Certification.id == Application.certification_id).where(
        Certification.status == "valid")).all()
    for application, cert in rows:
        events = []
        for year in range(1, 10):
            try:
                anniversary = cert.issued_on.replace(year=cert.issued_on.year + year)
            except ValueError:
                anniversary = cert.issued_on.replace(year=cert.issued_on.year + year, day=28)
            if cert.expires_on and anniversary >= cert.expires_on:
                break
            if anniversary - timedelta(days=surv_days) <= today < anniversary:
                done = any(s.get("on", "") >= (anniversary - timedelta(days=365)).isoformat()
                           for s in (application.data or {}).get("surveillances", []))
                if not done:
                    events.append((f"surv:a{application.id}:y{year}", "surveillance",
                                   f"年度监督提醒：{application.title}", f"第 {year} 年度监督应在 {anniversary} 前完成。"))
        if cert.expires_on and cert.expires_on - timedelta(days=expiry_days) <= today <= cert.expires_on:
            events.append((f"expiry:a{application.id}:{cert.expires_on}", "expiry",
                           f"证书到期提醒：{application.title}", f"证书 {cert.number} 将于 {cert.expires_on} 到期，请办理再认证。"))
        for key, kind, title, body in events:
            begin_write()
            if db.session.scalar(select(Notification.id).where(Notification.effect_key.like(f"{key}:u%")).limit(1)):
                db.session.rollback()
                continue
            people = policy.holders("applicant", application) + policy.holders("bureau", application) \
                + policy.holders("certifier", application)  # the body audits and re-certifies
            jobs = notify(people, key=key, kind=kind, title=title, body=body, now=now, application_id=application.id,
                          link=application_path(application))
            db.session.commit()
            dispatch.publish(jobs)
            sent += 1
    return sent


def _once_per_deadline(kind: str, run: StageRun) -> str:
    """The notification key of a reminder or escalation: once per stage run and due day, so a deadline the
    bureau moves later (a round's stage deadline) is warned about again, and a repeated sweep never twice."""
    return f"{kind}:r{run.id}:d{_local(run.due_at)[:10].replace('-', '')}"


def _local(moment: datetime | None) -> str:
    from registry.clock import LOCAL_TZ
    from datetime import timezone

    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
