"""SQLite cannot turn a read transaction into a write one once another connection has committed since it began:
the write fails at once with "database is locked", whatever the busy timeout. CI saw it as a targets export left
pending for ever (the worker read the job, the web process committed its outbox row, the worker's "running"
failed). Each test here commits from another connection right after the code under test made its first read, the
way another process would, and checks the work still completes (SQLite only: PostgreSQL has no such upgrade).

The other connection waits at most 0.2 s: when the code under test already holds the write lock, that connection's
write is the one refused, as it would wait its turn in a real process."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from registry.extensions import db


@pytest.fixture
def concurrent_commit(app):
    """``arm(table)``: after the next SELECT that reads ``table``, commit an update from another connection.
    Returns a dict whose ``committed`` says whether that commit went through (False: the lock was held)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's read-to-write upgrade; PostgreSQL has none")
    path = db.engine.url.database
    armed: dict = {}
    with sqlite3.connect(path, isolation_level=None) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS race_probe (n INTEGER)")

    def after(_conn, _cursor, statement, _params, _context, _many):
        if armed.get("table") and statement.lstrip().upper().startswith("SELECT") and armed["table"] in statement:
            armed["table"] = None
            other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
            try:
                other.execute("INSERT INTO race_probe (n) VALUES (1)")  # a real change: a no-op UPDATE is none
                armed["committed"] = True
            except sqlite3.OperationalError:
                armed["committed"] = False
            finally:
                other.close()

    def arm(table: str) -> dict:
        armed.update(table=table, committed=None)
        return armed

    event.listen(db.engine, "after_cursor_execute", after)
    yield arm
    event.remove(db.engine, "after_cursor_execute", after)
    db.session.remove()
    with sqlite3.connect(path, isolation_level=None, timeout=30) as setup:
        setup.execute("DROP TABLE race_probe")


def test_a_worker_task_that_reads_then_writes_finishes_when_another_process_commits_between(
        app, make_user, concurrent_commit):
    from registry.models import User

    def rename(user_id: int) -> str:
        user = db.session.get(User, user_id)  # the read
        user.display_name = "改名"  # the write, in the same transaction
        db.session.commit()
        return "done"

    task = app.extensions["celery"].task(name="tests.read_then_write")(rename)  # the app's task class, as any
    user_id = make_user("bureau").id
    db.session.commit()
    race = concurrent_commit("users")
    assert task.apply(args=(user_id,)).get() == "done"  # the task class's __call__, as the worker runs it
    assert race["committed"] is False  # the task held the write lock from its first read
    db.session.rollback()
    assert db.session.get(User, user_id).display_name == "改名"


def test_tasks_that_write_step_by_step_leave_the_lock_free_while_they_read(app):
    """The long exports and counts write each step through begin_write() (tested below) and hold no lock while
    they read; a delivery claims and finishes its row through begin_write() and holds no lock while it waits on
    the mail server or webhook; every other task holds it."""
    from registry.targets import tasks
    from workflows import tasks as workflow_tasks

    assert (tasks.export.holds_writes, tasks.review.holds_writes, tasks.warm_figures.holds_writes) == (False,) * 3
    assert workflow_tasks.send_notification.holds_writes is False  # no write lock held over an e-mail or webhook
    assert tasks.snapshot_month.holds_writes is True and workflow_tasks.seal_history.holds_writes is True


@pytest.mark.parametrize("first_read", ["target_exports", "enterprises"], ids=["the job", "a sheet's figures"])
def test_run_export_alone_writes_each_step_in_a_transaction_of_its_own(app, make_user, concurrent_commit,
                                                                       first_read):
    """The use case itself, called outside a task (a command, a test): the race after its read of the job, and
    after a sheet's read, before the progress it writes."""
    from registry.targets import jobs, services
    from registry.targets.models import TargetExport
    from registry.targets.seed import seed_indicators

    seed_indicators()
    job_id = jobs.start_export(make_user("bureau"), services.parse_filters("2024-06-30", None, None)).id
    db.session.commit()
    race = concurrent_commit(first_read)
    assert jobs.run_export(job_id) == "done"
    assert race["committed"] is (first_read == "enterprises")  # the sheets are read without the lock
    db.session.rollback()
    assert db.session.get(TargetExport, job_id).status == "done"


def test_a_post_that_reads_then_writes_succeeds_when_another_process_commits_between(
        client, auth, make_user, concurrent_commit):
    from registry.models import User

    admin, target = make_user("admin"), make_user("enterprise")
    auth.login(admin)
    token = auth.csrf(f"/admin/users/{target.id}")
    race = concurrent_commit("user_sessions")  # the request's first read: the signed-in session
    response = client.post(f"/admin/users/{target.id}/active", data={"active": "0", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert race["committed"] is False
    db.session.rollback()
    assert db.session.get(User, target.id).is_active_account is False


def test_a_page_view_that_touches_its_session_succeeds_when_another_process_commits_between(
        client, auth, make_user, concurrent_commit):
    from registry.models import UserSession
    from registry.models.base import utcnow

    user = make_user("bureau")
    auth.login(user)
    stale = utcnow() - timedelta(minutes=5)
    db.session.execute(UserSession.__table__.update().values(last_seen_at=stale))
    db.session.commit()
    race = concurrent_commit("user_sessions")
    response = client.get("/")
    assert response.status_code == 200
    assert race["committed"] is True  # a page view reads without the lock; its touch takes it afterwards
    db.session.rollback()
    seen = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == user.id))
    assert seen.replace(tzinfo=None) > stale.replace(tzinfo=None)


def test_a_session_idle_longer_than_the_limit_is_ended(client, auth, make_user, app):
    from registry.models import UserSession
    from registry.models.base import utcnow

    user = make_user("bureau")
    auth.login(user)
    assert client.get("/").status_code == 200
    db.session.execute(UserSession.__table__.update().values(
        last_seen_at=utcnow() - app.config["IDLE_TIMEOUT"] - timedelta(minutes=1)))
    db.session.commit()
    response = client.get("/targets/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None
