"""A round's stage deadlines: checked when set, the due date of every application reaching the stage, moved for
applications already there when the bureau changes them, and followed by the reminder and escalation sweeps."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from registry.awards import files, flow, rounds
from registry.awards.models import AwardRound
from registry.extensions import db
from registry.services.errors import Conflict, ValidationFailed
from tests.awards.conftest import NOW, self_assessment
from tests.conftest import csrf_token_from
from workflows import engine
from workflows.models import Application, Notification, StageRun
from workflows.services import sweeps

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LINHAI = dt.timezone(dt.timedelta(hours=8))


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), LINHAI).astimezone(dt.timezone.utc)


def settings_of(found: AwardRound, **changes) -> dict:
    values = {"name": found.name, "call_opens_on": found.call_opens_on, "call_closes_on": found.call_closes_on,
              "quotas": dict(found.quotas), "notice_days": found.notice_days,
              "notice_working_days": found.notice_working_days, "issuer": found.issuer,
              "stage_deadlines": dict(found.stage_deadlines or {})}
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def linhai_clock(monkeypatch):
    """The submit guard reads the clock: inside the round's call window."""
    from registry import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


def submitted(award_round, make_user):
    """An award application submitted into the round at NOW: it waits at the town's recommendation."""
    owner = make_user("enterprise")
    application = flow.start_application(owner, award_round.id, NOW)
    application.data = {**application.data, "declaration": True, "self_assessment": self_assessment()}
    files.store(application.id, "report", "apply", "自评报告.pdf", io.BytesIO(PDF), owner.id, NOW)
    db.session.commit()
    engine.apply(application.id, "submit", owner, version=application.version, now=NOW)
    return db.session.get(Application, application.id)


def open_run(application_id: int) -> StageRun:
    db.session.expire_all()
    return db.session.scalar(select(StageRun).where(StageRun.application_id == application_id,
                                                    StageRun.ended_at.is_(None)))


def test_deadlines_must_follow_the_call_and_each_other(bureau):
    base = dict(name="第六届", level="linhai", year=2026, call_opens_on=dt.date(2026, 3, 1),
                call_closes_on=dt.date(2026, 3, 31), quotas={"quality_award": 2})
    with pytest.raises(ValidationFailed) as err:
        rounds.open_round(bureau, **base, stage_deadlines={"recommend": dt.date(2026, 3, 31),
                                                           "eligibility": "2026-04-20", "document_review": "2026-04-10",
                                                           "site_review": "not a date"})
    assert set(err.value.errors) == {"deadline_recommend", "deadline_document_review", "deadline_site_review"}
    assert "2026-03-31" in err.value.errors["deadline_recommend"][0]
    assert "2026-04-20" in err.value.errors["deadline_document_review"][0]
    assert db.session.scalar(select(AwardRound.id)) is None  # nothing saved
    found = rounds.open_round(bureau, **base, stage_deadlines={
        "recommend": dt.date(2026, 4, 10), "eligibility": None, "presentation": dt.date(2026, 4, 1),
        "site_review": dt.date(2026, 6, 30)})
    # No presentation stage in this round: its date is not kept (and not checked against the order).
    assert found.stage_deadlines == {"recommend": "2026-04-10", "site_review": "2026-06-30"}


def test_an_application_reaching_a_stage_is_due_on_the_rounds_day(award_round, bureau, make_user):
    rounds.update_round(bureau, award_round.id, NOW, **settings_of(
        award_round, stage_deadlines={"recommend": "2026-04-10"}))
    application = submitted(award_round, make_user)
    assert application.stage == "recommend"
    run = open_run(application.id)
    assert run.stage == "recommend"
    assert flow.stage_due_date(application.id, "recommend") == dt.date(2026, 4, 10)
    assert run.due_at.replace(tzinfo=dt.timezone.utc) == end_of(dt.date(2026, 4, 10))
    # The reminder: two working days before (Friday 10 April 2026 -> Wednesday 8 April, start of day).
    assert run.remind_at.replace(tzinfo=dt.timezone.utc) == dt.datetime(2026, 4, 8, 0, 0, tzinfo=LINHAI)
    assert application.due_at.replace(tzinfo=dt.timezone.utc) == end_of(dt.date(2026, 4, 10))
    # No day set for a stage: its working-day limit (10) from the day it was reached.
    assert flow.stage_due_date(application.id, "eligibility") is None


def test_moving_a_deadline_moves_open_applications_and_warns_again(award_round, bureau, make_user):
    rounds.update_round(bureau, award_round.id, NOW, **settings_of(
        award_round, stage_deadlines={"recommend": "2026-04-10"}))
    waiting = submitted(award_round, make_user)
    late = dt.datetime(2026, 4, 11, 2, 0, tzinfo=dt.timezone.utc)
    assert sweeps.escalate_overdue(late) == 1
    assert sweeps.escalate_overdue(late) == 0  # once per deadline

    award_round = db.session.get(AwardRound, award_round.id)
    rounds.update_round(bureau, award_round.id, late, **settings_of(
        award_round, stage_deadlines={"recommend": "2026-04-20"}))
    run = open_run(waiting.id)
    assert run.due_at.replace(tzinfo=dt.timezone.utc) == end_of(dt.date(2026, 4, 20))
    assert run.escalated_at is None and run.reminded_at is None
    assert db.session.get(Application, waiting.id).due_at.replace(tzinfo=dt.timezone.utc) == end_of(
        dt.date(2026, 4, 20))
    assert sweeps.escalate_overdue(late) == 0  # no longer overdue
    assert sweeps.send_reminders(dt.datetime(2026, 4, 16, 2, 0, tzinfo=dt.timezone.utc)) == 1
    assert sweeps.escalate_overdue(dt.datetime(2026, 4, 21, 2, 0, tzinfo=dt.timezone.utc)) == 1
    escalations = db.session.scalars(select(Notification).where(Notification.kind == "escalation",
                                                                Notification.user_id == bureau.id)).all()
    assert len(escalations) == 2  # the first deadline and the moved one, each once

    # Taking the day away gives the stage its working-day limit again, counted from when it was reached.
    award_round = db.session.get(AwardRound, award_round.id)
    rounds.update_round(bureau, award_round.id, late, **settings_of(award_round, stage_deadlines={}))
    run = open_run(waiting.id)
    assert run.due_at.replace(tzinfo=dt.timezone.utc) == end_of(dt.date(2026, 3, 24))  # 10 working days after 10 March


def test_settings_are_fixed_once_the_list_is_in_public_notice(award_round, bureau):
    award_round.status = "notice"
    db.session.commit()
    with pytest.raises(Conflict):
        rounds.update_round(bureau, award_round.id, NOW, **settings_of(award_round, name="改名"))
    assert db.session.get(AwardRound, award_round.id).name == "第五届临海市政府质量奖"


def test_edit_page_shows_errors_keeps_data_and_is_the_bureaus_only(client, auth, award_round, bureau, make_user):
    page = f"/awards/rounds/{award_round.id}/edit"
    auth.login(make_user("town"))
    assert client.get(page).status_code == 404
    auth.logout()
    auth.login(bureau)
    html = client.get(page).get_data(as_text=True)
    assert "推荐截止日期" in html and 'value="2026-03-31"' in html
    form = {"csrf_token": csrf_token_from(html), "name": award_round.name, "call_opens_on": "2026-03-01",
            "call_closes_on": "2026-03-31", "quota_award": "3", "quota_nomination": "1", "notice_days": "5",
            "issuer": "临海市人民政府", "deadline_recommend": "2026-04-20", "deadline_eligibility": "2026-04-10",
            "level": "national", "year": "1999", "presentation_enabled": "y"}
    answer = client.post(page, data=form)
    assert answer.status_code == 200 and "不能早于前一环节的截止日期（2026-04-20）" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AwardRound, award_round.id).quotas["quality_award"] == 2  # nothing saved

    answer = client.post(page, data={**form, "deadline_eligibility": "2026-04-30"})
    assert answer.status_code == 302
    db.session.expire_all()
    saved = db.session.get(AwardRound, award_round.id)
    assert saved.quotas["quality_award"] == 3 and saved.notice_days == 5
    assert saved.stage_deadlines == {"recommend": "2026-04-20", "eligibility": "2026-04-30"}
    assert (saved.level, saved.year, saved.presentation_enabled) == ("linhai", 2026, False)  # fixed at opening
    show = client.get(f"/awards/rounds/{award_round.id}").get_data(as_text=True)
    assert "2026-04-30" in show and "环节期限" in show


def test_notice_rounds_cannot_be_edited_from_the_page(client, auth, award_round, bureau):
    award_round.status = "finalised"
    db.session.commit()
    auth.login(bureau)
    answer = client.get(f"/awards/rounds/{award_round.id}/edit")
    assert answer.status_code == 302



def test_the_funnel_counts_a_recommendation_as_soon_as_the_town_gives_it(award_round, make_user):
    waiting = submitted(award_round, make_user)
    town = make_user("town", jurisdiction=waiting.enterprise.jurisdiction)
    engine.apply(waiting.id, "recommend", town, now=NOW)
    submitted(award_round, make_user)  # still at the town
    counts = rounds.funnel(award_round.id)
    assert (counts["applied"], counts["recommended"], counts["eligible"]) == (2, 1, 0)
