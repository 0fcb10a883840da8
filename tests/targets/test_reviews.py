"""The plan's reviews (年度监测报告, 中期评估, 总结评估): built by the real worker, frozen once issued."""
from __future__ import annotations

import datetime as dt
import io
import time

from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.targets.models import Indicator, PlanReview
from tests.conftest import csrf_token_from
from tests.targets.factories import (CertificationFactory, EnterpriseFactory, HonourFactory, StandardDrafterFactory,
                                     StandardFactory)

D = dt.date


def _wait_built(client, review_id: int, seconds: float = 90) -> PlanReview:
    """Follow the review's progress as its page does (the JSON it polls) until the worker has finished it."""
    deadline = time.monotonic() + seconds
    state = {}
    while time.monotonic() < deadline:
        state = client.get(f"/targets/reviews/{review_id}.json").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    db.session.expire_all()
    return db.session.get(PlanReview, review_id)


def _start(client, kind: str, year: str):
    page = client.get("/targets/reviews").get_data(as_text=True)
    return client.post("/targets/reviews", data={"csrf_token": csrf_token_from(page), "kind": kind, "year": year})


def test_midterm_review_is_built_by_the_worker_and_frozen_once_issued(client, auth, make_user, indicators,
                                                                       celery_worker):
    town_firm = EnterpriseFactory()
    for number, day in (("T/ZZB 2401-2021", D(2021, 5, 1)), ("T/ZZB 2402-2023", D(2023, 5, 1))):
        StandardDrafterFactory(standard=StandardFactory(level="group_zzb", number=number, status="published",
                                                        published_on=day), enterprise=town_firm, role="lead")
    CertificationFactory(enterprise=town_firm, cert_type="pinzibiao", issued_on=D(2022, 3, 1),
                         expires_on=D(2025, 2, 28))
    HonourFactory(enterprise=town_firm, honour_type="quality_award", level="taizhou", year=2022,
                  awarded_on=D(2022, 6, 1))
    auth.login(make_user("bureau"))
    answer = _start(client, "midterm", "2023")
    assert answer.status_code == 302
    review_id = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    review = _wait_built(client, review_id)
    assert review.status == "done", (review.status, review.error, celery_worker.log()[-2000:])
    assert review.progress == review.total == 5  # 2021, 2022, 2023, the towns, the industries
    rows = {r["name"]: r for r in review.payload["rows"]}
    zzb = rows["制定“浙江制造”标准（新增）"]
    # 新增: from 0; values at the end of 2021, 2022, 2023; 2 of 30 -> 6.7 % of the path, behind 60 % of the time
    assert zzb["baseline"] == 0 and zzb["previous_plan_result"] == 30
    assert zzb["values"] == {"2021": 1, "2022": 1, "2023": 2}
    assert zzb["progress"] == round(2 * 100 / 30, 1) and zzb["expected"] == 60.0 and zzb["on_track"] is False
    rate = rows["制造业产品质量合格率"]
    assert rate["baseline"] == 95.9 and rate["baseline_source"].startswith("十三五")
    town_rows = {t["name"]: t["values"] for t in review.payload["towns"]["rows"]}
    code = db.session.scalar(select(Indicator.code).where(Indicator.rule == "zzb_standards"))
    assert town_rows[town_firm.jurisdiction.name][code] == 2
    page = client.get(f"/targets/reviews/{review_id}").get_data(as_text=True)
    assert "临海市质量发展“十四五”规划中期评估" in page and "落后于进度" in page and "镇街分布" in page
    book = load_workbook(io.BytesIO(client.get(f"/targets/reviews/{review_id}.xlsx").data))
    assert [ws.title for ws in book.worksheets] == ["指标评估", "镇街分布", "产业分布"]

    page = client.get(f"/targets/reviews/{review_id}").get_data(as_text=True)
    client.post(f"/targets/reviews/{review_id}/issue", data={"csrf_token": csrf_token_from(page)})
    issued = db.session.get(PlanReview, review_id)
    db.session.refresh(issued)
    frozen = issued.payload
    # the registry changes afterwards; the issued report does not, and cannot be rebuilt
    StandardDrafterFactory(standard=StandardFactory(level="group_zzb", number="T/ZZB 2403-2023", status="published",
                                                    published_on=D(2023, 8, 1)), enterprise=town_firm, role="lead")
    client.post(f"/targets/reviews/{review_id}/rebuild", data={"csrf_token": csrf_token_from(page)})
    from registry.targets.reviews import run

    assert run(review_id) == "done"
    db.session.expire_all()
    assert db.session.get(PlanReview, review_id).payload == frozen


def test_review_kinds_and_years_are_checked(client, auth, make_user, indicators):
    auth.login(make_user("bureau"))
    answer = _start(client, "midterm", "2024")
    assert answer.status_code == 422 and "中期评估的年度为 2023 年" in answer.get_data(as_text=True)
    assert _start(client, "annual", "2030").status_code == 422
    assert _start(client, "nonsense", "2023").status_code == 422
    assert db.session.scalar(select(PlanReview.id)) is None
    auth.login(make_user("enterprise"))
    assert client.get("/targets/reviews").status_code in (403, 404)


def test_progress_runs_from_baseline_to_target():
    from registry.targets.reviews import _progress

    assert _progress(13, 0, 30) == 43.3  # 新增: from 0
    assert _progress(96.5, 95.9, 96) == 600.0  # rate: 0.6 of a 0.1 point path
    assert _progress(0, 1, 2) == -100.0  # a holding lost
    assert _progress(9, 6, 2) == 100.0 and _progress(1, 6, 2) == 50.0  # the baseline already met a lower target
    assert _progress(None, 0, 3) is None and _progress(3, None, 3) is None and _progress(3, 0, None) is None


def test_demo_targets_fill_reported_values_official_figures_and_an_issued_report(make_user, indicators):
    from registry.targets.demo import seed_demo_targets
    from registry.targets.models import ReportedValue

    make_user("bureau")
    StandardDrafterFactory(standard=StandardFactory(level="group_zzb", number="T/ZZB 2601-2023", status="published",
                                                    published_on=D(2023, 5, 1)), role="lead")
    made = seed_demo_targets()
    assert made["reviews"] == 1 and made["values"] == 9 * 5 + 2
    review = db.session.scalar(select(PlanReview))
    assert review.status == "done" and review.issued_at is not None and review.year == 2024
    official = db.session.scalar(select(ReportedValue).where(ReportedValue.items.is_not(None)))
    assert "T/ZZB 3999-2024" in official.items
    assert seed_demo_targets() == {}  # a second run writes nothing
