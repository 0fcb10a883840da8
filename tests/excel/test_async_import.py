"""Imports over IMPORT_ASYNC_THRESHOLD rows are checked and committed by a real Celery worker."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from registry.excel.models import ImportJob
from registry.extensions import db
from registry.models import Enterprise
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.factories import make_uscc

ROWS = 420


def _wait_for(client, job_id: int, statuses: set[str], timeout: float = 180.0) -> tuple[dict, list[int]]:
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/imports/{job_id}/status.json").get_json()
        seen.append(status["processed_rows"])
        if status["status"] in statuses:
            return status, seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stuck at {status}")


def test_large_import_is_previewed_and_committed_by_the_worker(app, importer, client, celery_worker):
    assert ROWS > app.config["IMPORT_ASYNC_THRESHOLD"]
    rows = [enterprise_row(n, make_uscc(5000 + n)) for n in range(ROWS)]
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))

    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "<progress" in page and "import-progress.js" in page and 'http-equiv="refresh"' in page

    status, _ = _wait_for(client, job_id, {"previewed", "failed"})
    assert status["status"] == "previewed" and status["error_count"] == 0, status
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0

    importer.confirm(job_id)
    status, seen = _wait_for(client, job_id, {"committed", "failed"})
    assert status["status"] == "committed", status
    assert seen == sorted(seen)  # progress only moves forward
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.processed_rows == job.total_rows == ROWS
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == ROWS
    assert "已导入 420 行" in client.get(f"/imports/{job_id}").get_data(as_text=True)


def test_a_failing_row_in_a_large_import_rolls_back_in_the_worker(importer, client, celery_worker):
    from tests.factories import EnterpriseFactory

    rows = [enterprise_row(n, make_uscc(9000 + n)) for n in range(ROWS)]
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))
    status, _ = _wait_for(client, job_id, {"previewed", "failed"})
    assert status["error_count"] == 0
    EnterpriseFactory(uscc=make_uscc(9000 + 400))  # sheet row 402 becomes a duplicate before the commit

    importer.confirm(job_id)
    status, _ = _wait_for(client, job_id, {"committed", "failed"})
    assert status["status"] == "failed" and "第 402 行" in status["message"]
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_status_shows_live_progress_while_the_transaction_is_open(importer, client):
    """The worker's count lives in Redis while its transaction is open (nobody else can see the job row change)."""
    from sqlalchemy import update

    from registry.excel import progress

    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(1))])))
    db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(status="running", total_rows=500))
    db.session.commit()
    progress.report(job_id, 240)
    status = client.get(f"/imports/{job_id}/status.json").get_json()
    assert (status["status"], status["processed_rows"], status["total_rows"]) == ("running", 240, 500)
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert 'value="240"' in page and 'max="500"' in page
