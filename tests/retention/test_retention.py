"""The daily retention job: per kind, what is older than its setting goes; what an open application, a report or a
hash chain needs stays; run twice, it removes nothing more; and it runs as the real worker's task."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from registry.audit.chain import AUDIT
from registry.audit.models import SecurityEvent
from registry.audit.trail import record
from registry.extensions import db
from registry.models import UserSession
from registry.retention import purge
from registry import settings as reader
from registry.services import settings
from registry.services.errors import ValidationFailed
from tests import background
from tests.admin.conftest import post
from tests.workflows.conftest import cast, draft, place  # noqa: F401  (fixtures)
from workflows import chain
from workflows.models import Application, Attachment, Notification, Outbox

NOW = datetime(2027, 6, 1, 2, 0, tzinfo=timezone.utc)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _attachment(application_id: int, slot: str, version: int) -> Attachment:
    from flask import current_app

    folder = current_app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.pdf"
    with open(os.path.join(folder, stored), "wb") as handle:
        handle.write(b"%PDF-1.4 test")
    row = Attachment(application_id=application_id, slot=slot, version=version, stage="draft",
                     original_name=f"{slot}-v{version}.pdf", stored_name=stored, content_type="application/pdf",
                     size=13, sha256="0" * 64, uploaded_at=_ago(800))
    db.session.add(row)
    db.session.flush()
    return row


def _file_exists(row_name: str) -> bool:
    from flask import current_app

    return os.path.exists(os.path.join(current_app.config["UPLOAD_DIR"], row_name))


@pytest.fixture
def world(cast, draft):  # noqa: F811
    """One row of every kind on each side of its line, and the things that must stay whatever their age."""
    w = {}
    user = cast.applicant
    # sessions: one expired long ago, one in use
    db.session.add_all([
        UserSession(token_hash="a" * 64, user_id=user.id, created_at=_ago(40), last_seen_at=_ago(30)),
        UserSession(token_hash="b" * 64, user_id=user.id, created_at=_ago(1), last_seen_at=NOW - timedelta(minutes=5)),
    ])
    # outbox: delivered long ago goes; delivered lately, pending, failed (dead) and set-aside stay
    for key, status, done_at in (("old-done", "done", _ago(31)), ("new-done", "done", _ago(29)),
                                 ("old-pending", "pending", None), ("old-dead", "dead", None),
                                 ("old-discarded", "discarded", None)):
        db.session.add(Outbox(effect_key=key, task="workflows.send_notification", payload={}, status=status,
                              created_at=_ago(400), done_at=done_at))
    # notifications: read long ago goes; unread, read lately, and the certificate sweep's memory stay
    for key, kind, read_at in (("n-read-old", "transition", _ago(181)), ("n-unread-old", "transition", None),
                               ("n-read-new", "transition", _ago(179)), ("n-expiry", "expiry", _ago(500))):
        db.session.add(Notification(effect_key=key, user_id=user.id, kind=kind, title=key, created_at=_ago(600),
                                    read_at=read_at))
    # attachments: a withdrawn (closed) application and an open one, each with two versions of a slot
    closed, still_open = draft(), draft()
    place(closed.id, "town_recommendation", "withdrawn")
    w["closed_old"], w["closed_new"] = _attachment(closed.id, "evidence", 1), _attachment(closed.id, "evidence", 2)
    w["open_old"], w["open_new"] = _attachment(still_open.id, "evidence", 1), _attachment(still_open.id, "evidence", 2)
    db.session.execute(update(Application).values(updated_at=_ago(400)))
    # audit, kept the legal minimum of 180 days: 200 days old goes (with its anchor), 179 days old stays
    from registry.models import Setting

    db.session.add(Setting(key="retention.audit_days", value=180))
    for days in (200, 190, 179, 10):
        record("sign_in", user, address="10.0.0.1", now=_ago(days))
    db.session.commit()
    w.update({name: row.stored_name for name, row in w.items()})
    return w


def _effect_keys(model) -> set[str]:
    return set(db.session.scalars(select(model.effect_key)))


def test_each_kind_goes_and_what_is_needed_stays(world, runner):
    counts = purge.run(NOW)
    assert counts == {"audit_rows": 2, "expired_sessions": 1, "delivered_outbox": 1, "read_notifications": 1,
                      "export_files": 0, "superseded_attachments": 1}
    db.session.expire_all()
    assert set(db.session.scalars(select(UserSession.token_hash))) == {"b" * 64}
    assert _effect_keys(Outbox) == {"new-done", "old-pending", "old-dead", "old-discarded"}
    assert _effect_keys(Notification) == {"n-unread-old", "n-read-new", "n-expiry"}
    kept = {row.stored_name for row in db.session.scalars(select(Attachment))}
    assert kept == {world["closed_new"], world["open_old"], world["open_new"]}  # an open application keeps all
    assert not _file_exists(world["closed_old"]) and all(_file_exists(name) for name in kept)
    audit = list(db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq)))
    assert [e.event for e in audit] == ["sign_in", "sign_in", "retention_purge"]
    assert min(e.at for e in audit[:2]).replace(tzinfo=timezone.utc) >= _ago(180)  # nothing under 180 days went
    assert chain.verify(chain=AUDIT) == [] and chain.verify() == []
    assert runner.invoke(args=["verify-chain"]).exit_code == 0
    assert purge.run(NOW) == {name: 0 for name in counts}  # idempotent


def test_the_audit_setting_cannot_go_below_180_days(client, auth, make_user):
    admin = make_user("admin")
    with pytest.raises(ValidationFailed):
        settings.set(admin, "retention.audit_days", 179)
    auth.login(admin)
    refused = post(client, auth, "/admin/settings/retention.audit_days", {"value": "90"})
    assert refused.status_code == 422 and "180" in refused.get_data(as_text=True)
    assert post(client, auth, "/admin/settings/retention.audit_days", {"value": "180"}).status_code == 302
    assert reader.get("retention.audit_days") == 180


def test_even_a_stored_value_below_the_floor_keeps_180_days(world):
    from registry.models import Setting

    db.session.get(Setting, "retention.audit_days").value = 30  # written around the service
    db.session.commit()
    purge.audit_rows(NOW)
    ages = sorted((NOW - e.at.replace(tzinfo=timezone.utc)).days for e in db.session.scalars(select(SecurityEvent)))
    assert ages == [10, 179]


def test_old_export_files_go_with_their_jobs(app, make_user):
    from registry.targets.jobs import export_dir
    from registry.targets.models import TargetExport

    user = make_user("bureau")
    names = []
    for days in (8, 6):
        name = f"targets-test-{days}.xlsx"
        with open(os.path.join(export_dir(), name), "wb") as handle:
            handle.write(b"PK")
        db.session.add(TargetExport(user_id=user.id, as_of=NOW.date(), status="done", file_name=name,
                                    created_at=_ago(days), finished_at=_ago(days)))
        names.append(name)
    db.session.add(TargetExport(user_id=user.id, as_of=NOW.date(), status="running", created_at=_ago(30)))
    db.session.commit()
    assert purge.export_files(NOW) == 1
    assert [j.file_name for j in db.session.scalars(select(TargetExport).order_by(TargetExport.id))] == [names[1], None]
    assert not os.path.exists(os.path.join(export_dir(), names[0]))
    assert os.path.exists(os.path.join(export_dir(), names[1]))


def test_the_daily_job_runs_on_the_real_worker(app, world, celery_worker):
    from registry.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["registry-retention"]["task"] == "registry.retention"
    task_id = background.send(app, "registry.retention", app.config["CELERY_QUEUE"], now=NOW.isoformat())
    background.wait_for(lambda: background.finished(celery_worker, task_id) >= 1, 60, "the retention task",
                        [celery_worker])
    assert _effect_keys(Outbox) == {"new-done", "old-pending", "old-dead", "old-discarded"}
    assert _effect_keys(Notification) == {"n-unread-old", "n-read-new", "n-expiry"}
    assert db.session.scalar(select(SecurityEvent.event).order_by(SecurityEvent.seq.desc()).limit(1)) == \
        "retention_purge"
    assert chain.verify(chain=AUDIT) == []
