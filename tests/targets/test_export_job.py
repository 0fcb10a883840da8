"""The full export runs on a real Celery worker, reports progress and offers the workbook for download."""
from __future__ import annotations

import datetime as dt
import io
import time

from openpyxl import load_workbook

from registry.extensions import db
from registry.targets.models import TargetExport
from tests.targets.factories import HonourFactory


def test_full_export_on_a_worker(client, auth, make_user, indicators, celery_worker):
    HonourFactory(honour_type="qianjiang_cup", year=2022, awarded_on=dt.date(2022, 4, 1))
    auth.login(make_user("bureau"))
    token = auth.csrf("/targets/")
    started = client.post("/targets/exports?as_of=2024-06-30", data={"csrf_token": token})
    assert started.status_code == 302
    job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    deadline = time.monotonic() + 180  # a ceiling, not a timing: under full-suite load the job waited 60 s once
    state = {}
    while time.monotonic() < deadline:
        state = client.get(f"/targets/exports/{job_id}.json").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert state["status"] == "done", (state, db.session.get(TargetExport, job_id).error)
    assert state["progress"] == state["total"] == 21  # 2 summary sheets + 18 derived Table 2 indicators + ISO 10012
    wb = load_workbook(io.BytesIO(client.get(state["download"]).data))
    assert wb.sheetnames[:2] == ["指标总览", "镇街考核"]
    detail = wb["T2-05 明细"]
    assert detail["A1"].value.endswith("（共 1 条）") and "截至日期：2024-06-30" in detail["A2"].value
    # Idempotent: running the task again leaves the finished job alone.
    from registry.targets.jobs import run_export

    assert run_export(job_id) == "done"
    assert db.session.get(TargetExport, job_id).file_name
