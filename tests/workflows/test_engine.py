"""The engine on the 品字标 flow: the whole journey, reasons, versions, the paused clock, definition versions,
optional stages and the history chain."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from registry import settings
from registry.extensions import db
from registry.models import Certification
from registry.services.errors import Conflict, ValidationFailed
from tests.workflows.conftest import own_standard
from workflows import chain, definitions, engine
from workflows.models import Application, Notification, Outbox, StageRun, Transition
from workflows.services import applications, sweeps
from workflows.spec import NEXT, Stage, act


def _walk_to_certified(cast, application_id, standard_id):
    engine.apply(application_id, "submit", cast.applicant)
    engine.apply(application_id, "recommend", cast.town)
    engine.apply(application_id, "accept", cast.bureau)
    engine.apply(application_id, "link_standard", cast.applicant, payload={"standard_id": standard_id})


def test_full_journey_creates_the_certification(cast, draft):
    standard = own_standard(cast.enterprise, status="drafting")
    application = draft()
    _walk_to_certified(cast, application.id, standard.id)
    with pytest.raises(ValidationFailed):  # the standard is not published yet
        engine.apply(application.id, "standard_published", cast.bureau)
    assert sweeps.apply_automatic(datetime.now(timezone.utc)) == 0
    db.session.get(type(standard), standard.id).status = "published"
    db.session.commit()
    assert sweeps.apply_automatic(datetime.now(timezone.utc)) == 1  # the beat sweep moves it on by itself
    engine.apply(application.id, "choose_body", cast.applicant, payload={"certification_body_id": cast.body.id})
    for action in ("body_accepted", "testing_passed", "audit_passed"):
        engine.apply(application.id, action, cast.certifier)
    outcome = engine.apply(application.id, "issue_certificate", cast.certifier,
                           payload={"cert_number": "ZJM-2026-001", "issuer": "方圆标志认证集团",
                                    "issued_on": "2026-03-01"})
    assert (outcome.stage, outcome.status) == ("certified", "done")
    cert = db.session.scalar(select(Certification).where(Certification.number == "ZJM-2026-001"))
    assert cert.cert_type == "pinzibiao" and cert.expires_on == date(2029, 3, 1)
    assert cert.enterprise_id == cast.enterprise.id and cert.scope == "高精度汽车齿轮"
    assert cert.issuer == cast.body.name  # the assigned body issues it, whatever the form said
    engine.apply(application.id, "suspend", cast.bureau, reason="监督抽查不合格")
    assert db.session.get(Certification, cert.id).status == "suspended"
    engine.apply(application.id, "restore", cast.bureau, reason="整改完成")
    assert db.session.get(Certification, cert.id).status == "valid"
    engine.apply(application.id, "revoke", cast.bureau, reason="严重质量问题")
    assert db.session.get(Certification, cert.id).status == "revoked"
    steps = [t.action for t in applications.history(application.id)]
    assert steps == ["create", "submit", "recommend", "accept", "link_standard", "standard_published",
                     "choose_body", "body_accepted", "testing_passed", "audit_passed", "issue_certificate", "suspend", "restore",
                     "revoke"]
    assert chain.verify() == []


def test_reason_version_and_status_are_enforced(cast, draft):
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    with pytest.raises(ValidationFailed) as info:
        engine.apply(application.id, "reject", cast.town, reason="  ")
    assert "reason" in info.value.errors
    with pytest.raises(Conflict):
        engine.apply(application.id, "recommend", cast.town, version=1)  # stale: submit made it 2
    engine.apply(application.id, "recommend", cast.town, version=2)
    with pytest.raises(Conflict):  # already processed
        engine.apply(application.id, "recommend", cast.town)
    with pytest.raises(ValidationFailed):
        engine.apply(application.id, "fly_to_the_moon", cast.bureau)


def test_incomplete_draft_cannot_be_submitted(cast, draft):
    application = draft(self_assessment="", standard_proposal="")
    with pytest.raises(ValidationFailed) as info:
        engine.apply(application.id, "submit", cast.applicant)
    assert "自评价" in info.value.errors["action"][0]


def test_return_pauses_the_clock_until_resubmission(cast, draft):
    application = draft()
    t0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Linhai
    engine.apply(application.id, "submit", cast.applicant, now=t0)
    run = db.session.scalar(select(StageRun).where(StageRun.application_id == application.id,
                                                   StageRun.ended_at.is_(None)))
    due = run.due_at.replace(tzinfo=timezone.utc) if run.due_at.tzinfo is None else run.due_at
    assert due == datetime(2026, 3, 9, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))  # 5 working days
    engine.apply(application.id, "return", cast.town, reason="请补充检测报告", now=t0 + timedelta(days=1))
    app_row = db.session.get(Application, application.id)
    assert app_row.status == "returned" and app_row.paused
    engine.apply(application.id, "resubmit", cast.applicant, now=t0 + timedelta(days=4))
    db.session.expire_all()
    run = db.session.get(StageRun, run.id)
    moved = run.due_at.replace(tzinfo=timezone.utc) if run.due_at.tzinfo is None else run.due_at
    assert moved - due == timedelta(days=3)
    assert db.session.get(Application, application.id).paused is False
    submitted = db.session.get(Application, application.id).submitted_at  # the first submission's time, kept
    assert (submitted if submitted.tzinfo else submitted.replace(tzinfo=timezone.utc)) == t0  # (mutants #240, #241)


def test_application_keeps_its_definition_version(cast, draft, workflow_definitions):
    application = draft()
    v1 = definitions.get("pinzibiao", 1)
    # Version 2 drops the town recommendation.
    workflow_definitions.add(replace(v1, version=2, stages=tuple(s for s in v1.stages
                                                                  if s.name != "town_recommendation")))
    newer = applications.start(cast.applicant, "pinzibiao", None,
                               {"product": "新产品", "standard_proposal": "x", "self_assessment": "y"})
    assert (application.definition_version, newer.definition_version) == (1, 2)
    assert engine.apply(application.id, "submit", cast.applicant).stage == "town_recommendation"
    assert engine.apply(newer.id, "submit", cast.applicant).stage == "pool_review"


def test_optional_stage_follows_its_setting(cast, draft, workflow_definitions):
    v1 = definitions.get("pinzibiao", 1)
    optional = Stage("site_visit", "现场核查", frozenset({"bureau"}),
                     (act("visited", "核查完成", {"bureau"}, target=NEXT),), enabled_setting="pinzibiao.site_visit")
    stages = list(v1.stages)
    stages.insert(2, optional)
    workflow_definitions.add(replace(v1, version=3, stages=tuple(stages)))
    first = draft()
    engine.apply(first.id, "submit", cast.applicant)
    assert engine.apply(first.id, "recommend", cast.town).stage == "pool_review"  # switched off by default
    settings.put("pinzibiao.site_visit", True)
    db.session.commit()
    second = draft()
    engine.apply(second.id, "submit", cast.applicant)
    assert engine.apply(second.id, "recommend", cast.town).stage == "site_visit"


def test_transition_writes_history_notifications_and_outbox_together(cast, draft):
    from workflows.models import NotificationPreference

    db.session.add(NotificationPreference(user_id=cast.town.id, email_enabled=True,
                                          webhook_enabled=True, webhook_url="http://127.0.0.1:9/hook"))
    db.session.commit()
    application = draft()
    outcome = engine.apply(application.id, "submit", cast.applicant)
    notes = db.session.scalars(select(Notification).where(Notification.transition_id == outcome.transition_id)).all()
    assert {n.user_id for n in notes} == {cast.town.id}  # the actor is not told about their own action
    keys = sorted(o.effect_key for o in db.session.scalars(select(Outbox)))
    assert keys == [f"t{outcome.transition_id}:u{cast.town.id}:email", f"t{outcome.transition_id}:u{cast.town.id}:webhook"]


def test_a_failing_effect_rolls_everything_back(cast, draft):
    application = draft()
    for action, actor in (("submit", cast.applicant), ("recommend", cast.town), ("accept", cast.bureau)):
        engine.apply(application.id, action, actor)
    db.session.execute(update(Application).where(Application.id == application.id)
                       .values(stage="cert_decision", status="in_progress"))
    db.session.commit()
    count = db.session.query(Transition).count()
    with pytest.raises(ValidationFailed):
        engine.apply(application.id, "issue_certificate", cast.bureau,
                     payload={"cert_number": "N1", "issuer": "x", "issued_on": "2026-01-01",
                              "expires_on": "2025-01-01"})
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "cert_decision"
    assert db.session.query(Transition).count() == count
    assert db.session.scalar(select(Certification.id)) is None


def test_history_chain_detects_tampering(cast, draft, app):
    application = draft()
    for action, actor in (("submit", cast.applicant), ("recommend", cast.town), ("accept", cast.bureau)):
        engine.apply(application.id, action, actor)
    assert chain.verify() == []
    rows = db.session.scalars(select(Transition).order_by(*Transition.in_order())).all()

    def restore():
        db.session.rollback()

    # 1. edit a reason
    rows[1].reason = "改过的理由"
    db.session.flush()
    assert chain.verify(); restore()
    # 2. delete a row
    db.session.delete(rows[2])
    db.session.flush()
    assert chain.verify(); restore()
    # 3. swap two rows' positions
    rows = db.session.scalars(select(Transition).order_by(*Transition.in_order())).all()
    a, b = rows[1], rows[2]
    a.lane_seq, b.lane_seq = -1, -2
    db.session.flush()
    a.lane_seq, b.lane_seq = 3, 2
    db.session.flush()
    assert chain.verify(); restore()
    # 4. edit and rebuild the whole lane with a guessed key, head included
    rows = db.session.scalars(select(Transition).order_by(*Transition.in_order())).all()
    rows[1].to_status = "done"
    prev = chain.GENESIS
    for row in rows:
        row.prev_hash = prev
        row.hash = chain.digest(prev, chain._lane_fields(row), b"guessed-key")
        prev = row.hash
    db.session.get(Application, application.id).chain_hash = prev
    db.session.flush()
    assert chain.verify(); restore()
    assert chain.verify() == []


def test_a_stranger_or_an_unknown_action_is_refused_with_its_reason_and_nothing_written(cast, draft):
    """(mutation run) NotFound for a user who may not see the application, whatever the action; an action no stage
    of the definition has is a field error on ``action``; Forbidden for one who sees it but whose relation to it
    does not carry the action."""
    from registry.services.errors import Forbidden, NotFound, ValidationFailed

    application = draft()
    count = db.session.query(Transition).count()
    with pytest.raises(NotFound) as err:
        engine.apply(application.id, "submit", cast.other_applicant)
    assert str(err.value) == "未找到该申请。"
    with pytest.raises(NotFound):
        engine.apply(application.id + 1000, "submit", cast.applicant)
    with pytest.raises(ValidationFailed) as err:
        engine.apply(application.id, "no_such_action", cast.applicant)
    assert err.value.errors == {"action": ["没有“no_such_action”这一操作。"]}
    with pytest.raises(Forbidden) as err:  # the bureau sees the draft, but submitting is the applicant's
        engine.apply(application.id, "submit", cast.bureau)
    assert str(err.value) == "您无权执行此操作。"
    db.session.expire_all()
    assert db.session.query(Transition).count() == count
    assert db.session.get(Application, application.id).status == "draft"


def test_a_reason_is_trimmed_cut_to_2000_characters_and_none_when_blank(cast, draft):
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    with pytest.raises(ValidationFailed) as err:  # returning needs a reason; blanks are none
        engine.apply(application.id, "return", cast.town, reason=" \n ")
    assert err.value.errors == {"reason": ["请填写理由。"]}
    engine.apply(application.id, "return", cast.town, reason="  " + "缺" * 2500 + "  ")
    engine.apply(application.id, "resubmit", cast.applicant, reason="   ")
    rows = db.session.scalars(select(Transition).where(Transition.application_id == application.id)
                              .order_by(*Transition.in_order())).all()
    assert [row.reason for row in rows[-3:]] == [None, "缺" * 2000, None]  # submit, return, resubmit


def test_an_action_stores_only_its_stored_fields_over_the_data_and_its_history_row_keeps_every_value(
        cast, draft, workflow_definitions):
    """(mutation run) ``application.data`` keeps what it held and gains the action's stored fields only; the history
    row's payload holds every value, including what an effect added (who recorded a step)."""
    from workflows.spec import DRAFT, Field

    def records_who(application, actor, values, now):
        values["noted_by"] = actor.id

    note = act("note", "记录", {"applicant"}, from_statuses={DRAFT}, effects=(records_who,),
               fields=(Field("kept", "存入申请"), Field("said", "只记入历史", store=False)))
    v1 = definitions.get("pinzibiao", 1)
    first = v1.stages[0]
    workflow_definitions.add(replace(v1, version=4, stages=(replace(first, actions=first.actions + (note,)),)
                                     + v1.stages[1:]))
    application = draft()
    before, version = dict(application.data), application.version
    outcome = engine.apply(application.id, "note", cast.applicant, payload={"kept": "甲", "said": "乙"})
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    assert row.data == {**before, "kept": "甲"} and "product" in before
    assert (row.stage, row.version) == ("apply", version + 1)
    assert db.session.get(Transition, outcome.transition_id).payload == {
        "kept": "甲", "said": "乙", "noted_by": cast.applicant.id}


def test_a_rejection_closes_the_stage_run_though_the_application_stays_in_its_stage(cast, draft):
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    open_runs = select(StageRun).where(StageRun.application_id == application.id, StageRun.ended_at.is_(None))
    assert len(db.session.scalars(open_runs).all()) == 1
    outcome = engine.apply(application.id, "reject", cast.town, reason="不符合条件")
    assert (outcome.stage, outcome.status) == ("town_recommendation", "rejected")
    db.session.expire_all()
    assert db.session.scalars(open_runs).all() == []  # no clock runs on a closed application


def test_what_the_effects_change_is_the_actors_doing_named_by_the_workflow_and_action(cast, draft):
    """(mutation run) The change history of the certificate an effect records names the actor and the step."""
    from registry.models.history import ChangeLog
    from tests.workflows.conftest import place

    application = draft()
    place(application.id, "cert_decision", "in_progress")
    engine.apply(application.id, "issue_certificate", cast.bureau,
                 payload={"cert_number": "ZJM-2026-009", "issuer": "x", "issued_on": "2026-03-01"})
    cert = db.session.scalar(select(Certification).where(Certification.number == "ZJM-2026-009"))
    logged = db.session.scalars(select(ChangeLog).where(ChangeLog.entity == "certifications",
                                                        ChangeLog.entity_id == cert.id)).all()
    workflow = definitions.get("pinzibiao", 1)
    action = workflow.stage("cert_decision").action("issue_certificate")
    assert logged and {(row.actor_id, row.note) for row in logged} == {
        (cast.bureau.id, f"{workflow.label}:{action.label}")}


def test_after_an_action_the_actor_and_application_are_read_without_sql_and_later_commits_expire_again(cast, draft):
    """The engine's commit keeps what it just wrote loaded (the page or API answer reads it without a second read),
    and only that commit: the session goes back to expiring on commit, so a later transaction sees other writers."""
    from sqlalchemy import event

    application = draft()
    statements = []

    def seen(*_args):
        statements.append(1)

    engine.apply(application.id, "submit", cast.applicant)
    kept = db.session.get(Application, application.id)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert (kept.stage, kept.status, kept.version) == ("town_recommendation", "in_progress", 2)
        assert cast.applicant.email
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert statements == []

    assert db.session().expire_on_commit is True
    with db.engine.begin() as other:  # another writer, outside this session
        other.execute(update(Application).where(Application.id == application.id).values(title="别处改过的标题"))
    db.session.commit()
    assert kept.title == "别处改过的标题"
