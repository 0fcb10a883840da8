"""Task runs twice (reliability.md, "Background work"): the same outbox job delivered 100 times, all copies under one
task id as a broker redelivery or a retry would bring it, to a real worker (two pool children racing for the copies)
while its first delivery is still at the receiver. Figure: effects per key = 1 (3 jobs x 100 copies)."""
from __future__ import annotations

from sqlalchemy import select

from registry.queues import queue_for
from registry.extensions import db
from tests.background import finished, subscribe, wait_for
from tests.reliability.receivers import HoldingWebhook
from workflows import engine
from workflows.models import Notification, Outbox

COPIES = 100


def test_the_same_job_delivered_100_times_has_one_effect(app, cast, draft, celery_worker, private_queue):
    celery, worker_queue = app.extensions["celery"], celery_worker.service_urls["queue"]
    with HoldingWebhook(hold=0.5) as receiver:
        for user in (cast.town, cast.bureau, cast.applicant):
            subscribe(user, receiver.url, email=False)
        application = draft()
        # Published after commit to this test's private queue, which no worker reads: the copies below are the
        # only deliveries.
        engine.apply(application.id, "submit", cast.applicant)  # tells the town
        engine.apply(application.id, "recommend", cast.town)  # tells the bureau and the applicant
        rows = {row.id: row.effect_key for row in db.session.scalars(select(Outbox))}
        assert len(rows) == 3
        task_ids = {row_id: f"outbox-{row_id}-{private_queue}" for row_id in rows}
        for _ in range(COPIES):
            for row_id, task_id in task_ids.items():
                celery.send_task("workflows.send_notification", args=[row_id], queue=queue_for(worker_queue, "workflows.send_notification"), task_id=task_id)
        wait_for(lambda: all(finished(celery_worker, t) == COPIES for t in task_ids.values()), 60,
                 "every copy run", [celery_worker])
        receiver.wait_settled()
        per_key = {key: receiver.arrivals.count(key) for key in rows.values()}
        accepted = {key: receiver.accepted.count(key) for key in rows.values()}
    db.session.rollback()
    outbox = {row.effect_key: (row.status, row.attempts) for row in db.session.scalars(select(Outbox))}
    notes = list(db.session.scalars(select(Notification.effect_key)))
    print(f"\nsame job delivered {COPIES}x under one task id ({len(rows)} jobs, {COPIES * len(rows)} runs): "
          f"effects per key = {sorted(set(per_key.values()))}")
    assert per_key == accepted == {key: 1 for key in rows.values()}
    assert outbox == {key: ("done", 1) for key in rows.values()}
    assert len(notes) == len(set(notes)) == 3  # the in-app messages: one per recipient
