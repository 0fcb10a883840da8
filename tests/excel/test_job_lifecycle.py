"""Job states beyond the happy path: files removed when a job can go no further, stale jobs closed,
tasks delivered twice or after a killed worker."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from registry.excel import importer as import_service
from registry.excel.models import ImportJob
from registry.extensions import db
from registry.models import Enterprise
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.factories import make_uscc


def _job(importer, rows) -> ImportJob:
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def test_a_preview_with_errors_keeps_no_file(importer):
    job = _job(importer, [enterprise_row(1, "bad-code")])
    assert job.error_count == 1 and not os.path.exists(job.stored_path)


def test_a_clean_preview_keeps_its_file_until_committed(importer):
    job = _job(importer, [enterprise_row(1, make_uscc(1))])
    assert os.path.exists(job.stored_path)
    importer.confirm(job.id)
    assert not os.path.exists(job.stored_path)


def test_stale_previews_are_closed_and_their_files_removed(importer):
    job = _job(importer, [enterprise_row(1, make_uscc(1))])
    later = (datetime.now(timezone.utc) + timedelta(days=8)).isoformat()
    assert import_service.expire_stale_jobs(later) == 1
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == "failed" and "过期" in job.message and not os.path.exists(job.stored_path)
    assert import_service.expire_stale_jobs(later) == 0


def test_a_second_delivery_of_the_task_changes_nothing(importer):
    job = _job(importer, [enterprise_row(n, make_uscc(n)) for n in range(3)])
    importer.confirm(job.id)
    assert import_service.run_import(job.id) == "committed"
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 3


def test_a_job_left_running_by_a_killed_worker_is_redone_once(importer, app):
    job = _job(importer, [enterprise_row(n, make_uscc(n)) for n in range(3)])
    # The worker died after marking the job running: its import transaction never committed.
    db.session.execute(update(ImportJob).where(ImportJob.id == job.id).values(status="running"))
    db.session.commit()
    assert import_service.run_import(job.id) == "committed"
    assert import_service.run_import(job.id) == "committed"
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 3


def test_the_status_endpoint_reports_counts(importer, client):
    job = _job(importer, [enterprise_row(1, make_uscc(1)), enterprise_row(2, "bad")])
    body = client.get(f"/imports/{job.id}/status.json").get_json()
    assert body == {"id": job.id, "status": "previewed", "total_rows": 2, "processed_rows": 0, "error_count": 1,
                    "message": None, "final": False}
    assert "需修正" in client.get("/imports").get_data(as_text=True)
