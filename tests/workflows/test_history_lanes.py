"""The history chain per application (issue 16, item 2): each application's history is its own chain (lane), so an
action never waits for another application's; a periodic seal over every lane's head makes a history cut short (or
an application removed) after the seal show; rows of the old global chain stay verifiable and the lanes continue
from them."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, select

from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)
from workflows import chain, engine
from workflows.models import Application, ChainHead, ChainSeal, ChainSealHead, Transition
from workflows.services import history_seal

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=timezone.utc)


def lane(application_id: int) -> list[Transition]:
    db.session.expire_all()
    return list(db.session.scalars(select(Transition).where(Transition.application_id == application_id)
                                   .order_by(*Transition.in_order())))


def walk(cast, application_id: int) -> None:
    for action, actor in (("submit", cast.applicant), ("recommend", cast.town), ("accept", cast.bureau)):
        engine.apply(application_id, action, actor)


def test_each_application_is_its_own_chain_and_no_row_is_shared(cast, draft):
    first, second = draft(), draft(product="第二个产品")
    engine.apply(first.id, "submit", cast.applicant)
    engine.apply(second.id, "submit", cast.applicant)
    engine.apply(first.id, "recommend", cast.town)
    for application in (first, second):
        rows = lane(application.id)
        assert [row.lane_seq for row in rows] == list(range(1, len(rows) + 1))
        assert rows[0].prev_hash == chain.GENESIS
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
        head = db.session.get(Application, application.id)
        assert (head.chain_seq, head.chain_hash) == (rows[-1].lane_seq, rows[-1].hash)
    assert db.session.get(ChainHead, chain.HISTORY.head_id) is None  # the global head row is never taken
    assert chain.verify() == []


def test_a_history_cut_short_after_a_seal_shows(cast, draft):
    application, other = draft(), draft(product="另一个产品")
    walk(cast, application.id)
    sealed = history_seal.seal(NOW)
    assert sealed == 2 and chain.verify() == []
    begin_write()
    seal = db.session.scalar(select(ChainSeal))
    seal.key_id = None  # a seal from before key ids: key id "1" (#216, #217)
    db.session.flush()
    assert chain.verify() == []
    seal.key_id = "9"  # a key AUDIT_HMAC_KEYS does not list: reported, not a crash (#224)
    db.session.flush()
    assert chain.verify() == [f"seal of {chain.canonical_time(seal.at)}: does not match its heads"]
    db.session.rollback()

    # cut the newest row and move the head back onto the row before: the lane alone is consistent again
    rows = lane(application.id)
    begin_write()
    db.session.delete(rows[-1])
    head = db.session.get(Application, application.id)
    head.chain_seq, head.chain_hash = rows[-2].lane_seq, rows[-2].hash
    db.session.flush()
    assert chain.verify() == [f"application {application.id}: sealed history up to position {rows[-1].lane_seq} "
                              "is gone"]
    db.session.rollback()

    # remove the only row of a draft's lane, the application kept: the seal names it (#232: "seq > 1")
    begin_write()
    db.session.execute(delete(Transition).where(Transition.application_id == other.id))
    assert f"application {other.id}: sealed history up to position 1 is gone" in chain.verify()
    db.session.rollback()

    # remove a whole application (its history goes with it)
    begin_write()
    db.session.execute(delete(Transition).where(Transition.application_id == other.id))
    db.session.execute(delete(Application).where(Application.id == other.id))
    assert f"application {other.id}: sealed history up to position 1 is gone" in chain.verify()
    db.session.rollback()

    # forge the sealed heads to match a cut: the seal's MAC shows it
    begin_write()
    db.session.get(ChainSealHead, application.id).seq = rows[-2].lane_seq
    db.session.flush()
    assert any("does not match its heads" in problem for problem in chain.verify())
    db.session.rollback()
    assert chain.verify() == []


def test_without_a_seal_a_missing_lane_or_a_wrong_head_still_shows(cast, draft):
    application = draft()
    walk(cast, application.id)
    rows = lane(application.id)
    begin_write()
    db.session.delete(rows[1])  # a gap
    db.session.flush()
    assert f"application {application.id}: position 2 missing before 3" in chain.verify()
    db.session.rollback()
    begin_write()
    db.session.get(Application, application.id).chain_hash = rows[-2].hash  # a head that is not the last row
    db.session.flush()
    assert chain.verify() == [f"application {application.id}: head does not match its last history row"]
    db.session.rollback()


def test_rows_of_the_old_global_chain_stay_verifiable_and_the_lane_continues_from_them(app, cast, draft):
    """An installation upgraded through migration 0021: its rows were sealed into the one global chain."""
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    begin_write()
    old = lane(application.id)
    for row in old:  # as the release before lanes sealed them
        row.lane_seq = None
        db.session.flush()
        chain.seal(row)
    head = db.session.get(Application, application.id)
    head.chain_seq, head.chain_hash = 0, old[-1].hash  # what the migration sets
    db.session.commit()
    assert chain.verify() == []
    history_seal.seal(NOW)  # sealed at position 0: no lane row to lose (#231: "seq >= 0")
    db.session.commit()
    assert chain.verify() == []

    engine.apply(application.id, "recommend", cast.town)
    rows = lane(application.id)
    assert [row.seq for row in rows[:2]] == [old[0].seq, old[1].seq] and rows[2].lane_seq == 1
    assert rows[2].prev_hash == old[-1].hash
    assert chain.verify() == []
    begin_write()
    rows[0].reason = "改过的理由"
    db.session.flush()
    assert f"seq {rows[0].seq}: row hash does not match its content" in chain.verify()
    db.session.rollback()


def test_an_action_does_not_wait_for_another_applications_open_transaction(app, cast, draft):
    """PostgreSQL: while one action's transaction is open (its rows written, not committed), an action on another
    application commits. Before lanes it waited on the one chain-head row (``FOR UPDATE``) until the first ended.
    SQLite serialises every writer by design (BEGIN IMMEDIATE), so the question does not arise there."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    first, second = draft(), draft(product="第二个产品")
    applicant_id, first_id, second_id = cast.applicant.id, first.id, second.id
    db.session.commit()
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_open():
        with app.app_context():
            try:
                begin_write()
                engine._apply(first_id, "submit", db.session.get(User, applicant_id), None, None, {}, NOW)
                db.session.flush()
                holding.set()
                release.wait(60)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                holding.set()
            finally:
                db.session.rollback()
                db.session.remove()

    holder = threading.Thread(target=hold_open)
    holder.start()
    try:
        assert holding.wait(60) and not errors
        done = threading.Event()

        def act():
            with app.app_context():
                try:
                    engine.apply(second_id, "submit", db.session.get(User, applicant_id))
                    done.set()
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)
                finally:
                    db.session.remove()

        actor = threading.Thread(target=act, daemon=True)
        actor.start()
        assert done.wait(30), "the action on the second application waited for the first one's transaction"
        assert not errors
    finally:
        release.set()
        holder.join(60)
    assert lane(second_id)[-1].action == "submit" and chain.verify() == []


# --- what is hashed, exactly (mutation run, tests/MUTATION.md) -----------------------------------------------
# A chain verifies against hashes written by earlier releases: the message format is part of the data, and every
# field a row shows must be covered, or an edit of that field goes unseen.

def test_the_hashed_message_and_the_time_format_are_fixed():
    import hashlib
    import hmac
    from datetime import timedelta

    assert chain.GENESIS == "0" * 64
    assert chain.digest("p", [1, None, "甲", 2.5], b"k") == hmac.new(
        b"k", "p|1||甲|2.5".encode(), hashlib.sha256).hexdigest()
    beijing = timezone(timedelta(hours=8))
    assert chain.canonical_time(datetime(2026, 12, 4, 16, 0, 0, 7, tzinfo=beijing)) == "2026-12-04T08:00:00.000007"
    assert chain.canonical_time(datetime(2026, 12, 4, 8, 0)) == "2026-12-04T08:00:00.000000"  # naive is UTC
    row = Transition(lane_seq=3, seq=9, application_id=4, actor_id=5, action="submit", from_stage="draft",
                     from_status="draft", to_stage="town_review", to_status="in_progress", reason=None, at=NOW)
    assert chain._lane_fields(row) == ["lane", 3, 4, 5, "submit", "draft", "draft", "town_review", "in_progress",
                                       None, "2026-12-04T08:00:00.000000"]
    assert chain._history_fields(row) == [9, 4, 5, "submit", "draft", "draft", "town_review", "in_progress", None,
                                          "2026-12-04T08:00:00.000000"]


@pytest.mark.parametrize("field, value", [
    ("actor_id", None), ("action", "withdraw"), ("from_stage", "x"), ("from_status", "x"), ("to_stage", "x"),
    ("to_status", "x"), ("reason", "改过的理由"), ("at", datetime(2020, 1, 1, tzinfo=timezone.utc)),
])
def test_an_edit_of_any_field_a_row_shows_is_seen(cast, draft, field, value):
    application = draft()
    walk(cast, application.id)
    rows = lane(application.id)
    begin_write()
    setattr(rows[1], field, value)
    db.session.flush()
    assert chain.verify() == [f"application {application.id} position 2: row hash does not match its content"]
    db.session.rollback()


def test_a_row_that_does_not_follow_its_predecessor_is_named(cast, draft):
    application = draft()
    walk(cast, application.id)
    rows = lane(application.id)
    begin_write()
    rows[1].prev_hash = rows[0].prev_hash  # re-linked past its predecessor
    db.session.flush()
    assert chain.verify() == [f"application {application.id} position 2: previous hash does not match",
                              f"application {application.id} position 2: row hash does not match its content"]
    db.session.rollback()


def test_history_whose_application_row_is_gone_shows_wherever_it_falls(cast, draft):
    """An application row deleted behind the foreign keys' back (their checks switched off, as only someone with
    the database's own rights can): its lane is named, whether it comes before another application or after the
    last one (mutation run: the two loops of _verify_lanes were never reached)."""
    first, middle, last, after = draft(), draft(), draft(), draft()
    for application in (first, middle, last, after):
        walk(cast, application.id)
    first_id, last_id, after_id = first.id, last.id, after.id
    db.session.commit()
    history_seal.seal(NOW)  # the seal names the three too: by the missing application row alone (#226)
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        import sqlite3

        ids = (first_id, last_id, after_id)
        raw = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=30)  # foreign keys off: the default
        try:
            raw.execute("DELETE FROM applications WHERE id IN (?, ?, ?)", ids)
        finally:
            raw.close()
    else:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK triggers
        db.session.execute(delete(Application).where(Application.id.in_((first_id, last_id, after_id))))
        db.session.commit()
    db.session.expire_all()
    assert chain.verify() == [f"application {gone}: history without its application"
                              for gone in (first_id, last_id, after_id)] + [
        f"application {gone}: sealed history up to position 4 is gone" for gone in (first_id, last_id, after_id)]


def test_the_seal_names_at_most_fifty_lost_applications(cast, draft):
    """A wholesale loss is reported by its first 50 applications, not one line per application (chain #236)."""
    ids = [draft().id for _ in range(51)]
    history_seal.seal(NOW)
    db.session.commit()
    begin_write()
    db.session.execute(delete(Transition).where(Transition.application_id.in_(ids)))
    lost = [p for p in chain.verify() if "sealed history" in p]
    db.session.rollback()
    assert lost == [f"application {i}: sealed history up to position 1 is gone" for i in sorted(ids)[:50]]
