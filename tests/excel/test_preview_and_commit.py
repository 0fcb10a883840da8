"""Upload -> preview (every row's problems, nothing written) -> confirm (all or nothing)."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.excel.models import ImportJob
from registry.extensions import db
from registry.models import ChangeLog, Enterprise, Honour
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.factories import EnterpriseFactory, make_uscc


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_lists_every_rows_errors_and_duplicates_and_writes_nothing(importer, client):
    existing = EnterpriseFactory(uscc=make_uscc(7), name="已登记企业有限公司")
    rows = [
        enterprise_row(1, make_uscc(1)),                              # row 2: fine
        enterprise_row(2, "91331082MA2XXXXX00"),                      # row 3: bad credit code
        enterprise_row(3, make_uscc(3), 成立日期="2021-13-45"),        # row 4: bad date
        enterprise_row(4, make_uscc(4), 所属镇街="火星镇"),             # row 5: unknown jurisdiction
        enterprise_row(5, make_uscc(1)),                              # row 6: same code as row 2
        enterprise_row(6, existing.uscc),                             # row 7: already registered
        enterprise_row(7, make_uscc(8), 规上企业="也许"),                # row 8: bad 是/否
    ]
    before = (_count(Enterprise), _count(ChangeLog))
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))

    job = db.session.get(ImportJob, job_id)
    assert job.status == "previewed"
    assert (_count(Enterprise), _count(ChangeLog)) == before  # the preview wrote nothing
    issues = {(i["row"], i["column"], i["type"]) for i in job.preview["issues"]}
    assert (3, "统一社会信用代码", "error") in issues
    assert (4, "成立日期", "error") in issues
    assert (5, "所属镇街", "error") in issues
    assert (6, "统一社会信用代码", "duplicate_file") in issues
    assert (7, "统一社会信用代码", "duplicate_registry") in issues
    assert (8, "规上企业", "error") in issues
    assert not any(i[0] == 2 for i in issues)
    assert job.preview["counts"] == {"rows": 7, "ok": 1, "bad_rows": 6, "errors": 4, "duplicates_in_file": 1,
                                     "duplicates_in_registry": 1}
    assert job.error_count == 6

    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "第 6 行" in page and "与文件第 2 行重复" in page
    assert "已登记企业有限公司" in page  # the registry duplicate names the existing record
    assert "确认导入" not in page  # a preview with errors cannot be confirmed

    refused = importer.confirm(job_id)
    assert refused.status_code == 302
    assert _count(Enterprise) == before[0]
    assert db.session.get(ImportJob, job_id).status == "previewed"


def test_confirm_commits_every_row_with_history(importer, bureau, client):
    rows = [enterprise_row(n, make_uscc(100 + n)) for n in range(5)]
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))
    assert db.session.get(ImportJob, job_id).error_count == 0
    assert "确认导入 5 行" in client.get(f"/imports/{job_id}").get_data(as_text=True)

    importer.confirm(job_id)
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.processed_rows, job.total_rows) == ("committed", 5, 5)
    assert job.finished_at is not None
    names = set(db.session.scalars(select(Enterprise.name)))
    assert names == {f"临海导入测试企业{n}有限公司" for n in range(5)}
    logged = db.session.scalars(select(ChangeLog).where(ChangeLog.entity == "enterprises")).all()
    assert len(logged) == 5 and {c.actor_id for c in logged} == {bureau.id}

    again = importer.confirm(job_id)  # a second confirm changes nothing
    assert again.status_code == 302 and _count(Enterprise) == 5


def test_a_row_that_fails_at_commit_rolls_back_everything(importer, client):
    rows = [enterprise_row(n, make_uscc(200 + n)) for n in range(6)]
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))
    assert db.session.get(ImportJob, job_id).error_count == 0
    # Between preview and confirmation someone registers the code of the file's 4th data row (sheet row 5).
    EnterpriseFactory(uscc=make_uscc(203), name="抢先登记有限公司")

    importer.confirm(job_id)
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed"
    assert "第 5 行" in job.message and "抢先登记有限公司" in job.message and "全部撤销" in job.message
    assert _count(Enterprise) == 1  # only the one registered meanwhile: rows 2-4 were rolled back too
    assert job.message in client.get(f"/imports/{job_id}").get_data(as_text=True)


def test_record_rows_name_their_enterprise_by_credit_code(importer):
    owner = EnterpriseFactory()
    headers = ["统一社会信用代码", "荣誉类型", "级别", "年度", "名称/项目"]
    rows = [[owner.uscc, "钱江杯", "省级", 2022, "示例工程"],
            [make_uscc(999), "钱江杯", "省级", 2022, "未登记企业的荣誉"],
            [owner.uscc, "钱江杯", "省级", 2022, "示例工程"],
            [owner.uscc, "不存在的奖", "省级", 2022, ""]]
    job_id = importer.job_id(importer.upload("honours", xlsx(headers, rows)))
    job = db.session.get(ImportJob, job_id)
    issues = {(i["row"], i["column"], i["type"]) for i in job.preview["issues"]}
    assert issues == {(3, "统一社会信用代码", "error"), (4, "荣誉类型", "duplicate_file"), (5, "荣誉类型", "error")}
    assert _count(Honour) == 0


def test_clean_record_import_commits(importer):
    owner = EnterpriseFactory()
    headers = ["统一社会信用代码", "企业名称", "申请号/专利号", "专利类型", "专利名称", "法律状态", "申请日期"]
    rows = [[owner.uscc, owner.name, "ZL201710601862.3", "", "一种示例装置", "已授权", "2017-07-20"]]
    job_id = importer.job_id(importer.upload("patents", xlsx(headers, rows)))
    job = db.session.get(ImportJob, job_id)
    assert job.error_count == 0 and job.preview["ignored_columns"] == []
    importer.confirm(job_id)
    from registry.models import Patent

    patent = db.session.scalar(select(Patent))
    assert (patent.number, patent.patent_type, patent.enterprise_id) == ("201710601862.3", "invention", owner.id)


def test_missing_required_columns_are_refused_before_any_job(importer):
    response = importer.upload("enterprises", xlsx(["企业名称", "备注"], [["某公司", "x"]]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "缺少必填列" in page and "统一社会信用代码" in page
    assert _count(ImportJob) == 0


def test_only_bureau_imports_and_jobs_are_private(client, auth, make_user, importer):
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(1))])))
    auth.logout()
    other = make_user("bureau")
    auth.login(other)
    assert client.get(f"/imports/{job_id}").status_code == 404
    assert client.get(f"/imports/{job_id}/status.json").status_code == 404
    auth.logout()
    for role in ("town", "enterprise", "expert"):
        user = make_user(role)
        auth.login(user)
        refused = client.get("/imports")
        assert refused.status_code == 403
        assert "数据导入</a>" not in refused.get_data(as_text=True)  # not in their menu either
        assert client.get("/imports/templates/enterprises.xlsx").status_code == 403
        client.post("/logout", data={"csrf_token": auth.csrf("/imports")})
