"""What one engine action costs the database (issue 16 item 1): a fixed number of SQL statements, however many
people it tells, with the settings and holiday overrides served from the per-process cache. Statement counts are
deterministic, so they are asserted exactly; time is measured in bench/workflow_bench.py, not here."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from registry import policy, settings
from registry.extensions import db
from registry.models import User
from tests.factories import UserFactory
from workflows import chain, engine, recipients
from workflows.models import Application, Notification, NotificationPreference, Outbox
from workflows.services import holidays

# select app (locked), select its open run, close it, open the next, the compare-and-set, the history row, the
# in-app messages, the outbox rows
MOVE = 8


@pytest.fixture
def cached(app, monkeypatch):
    monkeypatch.setitem(app.config, "REFERENCE_CACHE_SECONDS", 3600)  # no expiry within a test, however slow


class Statements:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            self.seen.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self)


def _recommend(cast, application_id) -> list[str]:
    town = db.session.get(User, cast.town.id)
    town.role  # loaded in the request's read transaction, as the signed-in user is
    with Statements() as counted:
        engine.apply(application_id, "recommend", town)
    return counted.seen


def _submitted(cast, draft) -> int:
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    return application.id


def _bureau_with_channels(n: int) -> None:
    for _ in range(n):
        user = UserFactory(role="bureau")
        db.session.add(NotificationPreference(user_id=user.id, email_enabled=True, webhook_enabled=True,
                                              webhook_url="http://127.0.0.1:9/hook"))
    db.session.commit()


def test_an_action_costs_the_same_statements_for_one_recipient_or_thirty(cached, cast, draft):
    first, second = _submitted(cast, draft), _submitted(cast, draft)
    few = _recommend(cast, first)
    _bureau_with_channels(30)
    many = _recommend(cast, second)
    assert len(few) == MOVE, "\n".join(few)
    assert len(many) == MOVE, "\n".join(many)
    told = db.session.scalar(select(func.count(Notification.id)).where(Notification.application_id == second))
    channels = db.session.scalar(select(func.count(Outbox.id)).where(Outbox.effect_key.like(f"t%:u%:%")))
    assert told == 1 + 1 + 30 + 1  # the applicant, the cast's bureau user, 30 more bureau staff (the town acted)
    assert channels == 2 * 30  # e-mail and webhook of each of the 30


def test_an_action_through_the_api_reads_nothing_twice(cached, client, api, cast, draft):
    # the token (its account joined), the engine's statements, the history for the answer: the application is not
    # read before the engine's locked read, nor again after its commit, and neither is the caller
    first, second = _submitted(cast, draft), _submitted(cast, draft)
    town = api(cast.town)
    assert client.get(f"/api/v1/applications/{first}", headers=town).status_code == 200  # the token's use stamped
    db.session.remove()
    with Statements() as counted:
        answer = client.post(f"/api/v1/applications/{second}/actions", json={"action": "recommend", "version": 2},
                             headers=town)
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()
    assert (shown["stage"], shown["version"]) == ("pool_review", 3)
    assert [h["action"] for h in shown["history"]][-1] == "recommend"
    assert shown["allowed_actions"] == []  # the town has nothing left to do at the bureau's stage
    assert len(counted.seen) == 1 + MOVE + 1, "\n".join(counted.seen)


def test_settings_and_holidays_are_read_once_then_served_from_the_cache(cached, cast, draft):
    from registry import refcache

    ids = [_submitted(cast, draft) for _ in range(2)]
    refcache.clear()  # as a fresh process starts
    cold = _recommend(cast, ids[0])
    warm = _recommend(cast, ids[1])
    assert any("FROM settings" in s for s in cold) and any("FROM holiday_overrides" in s for s in cold)
    assert len(cold) == MOVE + 2
    assert not any("FROM settings" in s or "FROM holiday_overrides" in s for s in warm)


def test_a_change_in_this_process_applies_at_once_and_a_rolled_back_one_never(cached, app, cast):
    key = "workflows.reminder_days"
    before = settings.get(key)
    settings.put(key, before + 3)
    assert settings.get(key) == before + 3  # read through while the transaction writes
    db.session.rollback()
    assert settings.get(key) == before  # the rolled-back value was never cached
    settings.put(key, before + 5)
    db.session.commit()
    assert settings.get(key) == before + 5
    from datetime import date

    from workflows import calendar

    day = date(2030, 5, 6)
    calendar.overrides()
    holidays.set_day(day, False, "测试")
    assert calendar.overrides()[day] is False


def test_the_set_based_recipients_are_exactly_the_holders_of_each_relation(cast, draft):
    from tests.factories import EnterpriseFactory
    from workflows.models import Assignment

    application = db.session.get(Application, _submitted(cast, draft))
    application.certification_body_id = cast.body.id
    UserFactory(role="bureau", is_active_account=False)
    UserFactory(role="town", jurisdiction=cast.enterprise.jurisdiction)
    UserFactory(role="enterprise", enterprise=EnterpriseFactory())
    db.session.add(Assignment(application_id=application.id, user_id=cast.expert.id, stage="pool_review"))
    db.session.commit()
    for relation in ("applicant", "town", "bureau", "certifier", "expert", "system"):
        for stage in (None, "pool_review", "town_recommendation"):
            listed = [u.id for u in policy.holders(relation, application, stage)]
            selected = list(db.session.scalars(select(User.id).where(
                recipients.holder_condition(relation, application, stage)).order_by(User.id)))
            assert selected == listed, (relation, stage)
            if stage is not None:  # the bulk form: joined to the applications that moved
                from registry.models import Enterprise

                joined = list(db.session.scalars(
                    select(User.id).select_from(Application).join(Enterprise, Enterprise.id == Application.enterprise_id)
                    .join(User, recipients.holder_columns(relation, stage)).where(Application.id == application.id)
                    .order_by(User.id)))
                assert joined == listed, (relation, stage, "joined")


def _bulk_statements(cast, ids) -> tuple[list[str], dict]:
    from workflows.services import inbox

    town = db.session.get(User, cast.town.id)
    town.role
    with Statements() as counted:
        results = inbox.bulk_act(town, "recommend", {i: 2 for i in ids})
    return counted.seen, results


def test_a_bulk_action_costs_the_same_statements_for_three_applications_or_six(cached, cast, draft):
    # a chunk: the applications (locked) and their open runs read once; one executemany compare-and-set; the runs
    # closed, the runs opened and the history rows written once each; the messages of all in two statements
    ids = [_submitted(cast, draft) for _ in range(10)]
    _recommend(cast, ids.pop())  # the cache warm
    three, results = _bulk_statements(cast, ids[:3])
    six, more = _bulk_statements(cast, ids[3:])
    assert set(results.values()) == set(more.values()) == {"ok"}
    if db.engine.dialect.name == "postgresql":  # the runs and history rows of a chunk in one INSERT each
        cost = lambda n: 8  # noqa: E731
    else:  # SQLite: the ORM inserts those rows one by one (ids from lastrowid)
        cost = lambda n: 6 + 2 * n  # noqa: E731
    assert (len(three), len(six)) == (cost(3), cost(6)), "\n".join(six)
    moved = list(db.session.scalars(select(Application).where(Application.id.in_(ids))))
    assert {a.stage for a in moved} == {"pool_review"} and {a.version for a in moved} == {3}
    from workflows.models import Transition

    moved_by = db.session.scalar(select(Transition.id).where(Transition.application_id == ids[4],
                                                             Transition.action == "recommend"))
    told = db.session.scalars(select(Notification).where(Notification.transition_id == moved_by)).all()
    assert {n.user_id for n in told} == {cast.applicant.id, cast.bureau.id}
    note = told[0]
    application = db.session.get(Application, ids[4])
    assert note.title.endswith(f":{application.title} — 推荐") and note.link.endswith(f"/{ids[4]}")
    assert note.effect_key == f"t{note.transition_id}:u{note.user_id}"
    assert chain.verify() == []


def test_a_bulk_action_reports_each_refusal_and_moves_the_rest(cast, draft):
    ids = [_submitted(cast, draft) for _ in range(3)]
    engine.apply(ids[1], "recommend", cast.town)  # already moved: a conflict for the bulk
    _seen, results = _bulk_statements(cast, ids)
    assert results[ids[0]] == results[ids[2]] == "ok"
    assert results[ids[1]] == engine.CONFLICT_MESSAGE


def test_the_sweep_escalates_set_based(cached, cast, draft):
    from datetime import timedelta

    from sqlalchemy import update

    from registry import clock
    from workflows.models import StageRun
    from workflows.services import sweeps

    ids = [_submitted(cast, draft) for _ in range(5)]
    past = clock.now() - timedelta(days=1)
    db.session.execute(update(StageRun).where(StageRun.application_id.in_(ids)).values(due_at=past, remind_at=past))
    db.session.commit()
    with Statements() as counted:
        assert sweeps.escalate_overdue(clock.now()) == 5
    # the open runs, the claim; then the messages of the runs due at the same time, in two statements
    assert len(counted.seen) == 2 + 2, "\n".join(counted.seen)
    told = {(n.application_id, n.user_id) for n in db.session.scalars(
        select(Notification).where(Notification.kind == "escalation"))}
    assert told == {(i, u) for i in ids for u in (cast.bureau.id, cast.town.id)}
    note = db.session.scalar(select(Notification).where(Notification.kind == "escalation", Notification.application_id == ids[0]).limit(1))
    application = db.session.get(Application, ids[0])
    run = db.session.scalar(select(StageRun).where(StageRun.application_id == ids[0], StageRun.ended_at.is_(None)))
    assert note.title == f"超期督办：{application.title}(镇街推荐)" and note.link.endswith(f"/{ids[0]}")
    assert note.effect_key == f"{sweeps._once_per_deadline('escalate', run)}:u{note.user_id}"
    assert sweeps.escalate_overdue(clock.now()) == 0  # once per run
