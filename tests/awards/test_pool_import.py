"""Experts from Excel: every row's problems in the preview, then all rows or none (also when the pool changed
between the preview and the commit); forged or foreign preview tokens refused; bad files refused."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.awards import pool, pool_import
from registry.awards.models import Expert, ExpertTie
from registry.extensions import db
from registry.models import ChangeLog
from registry.services.errors import ValidationFailed
from tests.factories import EnterpriseFactory

HEADER = ["姓名", "职称", "工作单位", "专业领域", "可任组长", "关联关系"]


def workbook(*rows, header=HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def experts() -> int:
    return db.session.scalar(select(func.count(Expert.id)))


def test_preview_lists_every_rows_problems_and_writes_nothing(bureau):
    firm = EnterpriseFactory(name="浙江临海精工机械有限公司")
    pool.create_expert(bureau, name="王芳", employer="浙江大学")
    preview = pool_import.preview(bureau, "专家.xlsx", workbook(
        ["李明", "高级工程师", "台州学院", "卓越绩效、机械", "是", f"曾任职单位：{firm.uscc}|2019 年离职"],
        ["", "教授", "某大学", "", "否", ""],
        ["赵六", "", "", "", "也许", "朋友：某公司"],
        ["孙七", "", "", "", "", "现任职单位：91331082MA28XXXXXX"],
        ["李明", "", "台州学院", "", "", ""],
        ["王芳", "", "浙江大学", "", "", ""],
        ["周八", "", "", "", "", "咨询：某咨询公司；咨询服务关系：某咨询公司"],
    ))
    assert preview.token is None and preview.failed == 6
    by_row = {r.row: r.errors for r in preview.rows}
    assert by_row[2] == []
    assert any("姓名" in e and "请填写专家姓名" in e for e in by_row[3])
    assert any("可任组长" in e and "也许" in e for e in by_row[4]) and any("朋友：某公司" in e for e in by_row[4])
    assert any("91331082MA28XXXXXX" in e for e in by_row[5])
    assert any("与第 2 行同名同单位" in e for e in by_row[6])
    assert any("编号" in e and "王芳" in e for e in by_row[7])
    assert any("重复" in e for e in by_row[8])
    assert preview.rows[0].tie_text == [f"曾任职单位：{firm.name}（2019 年离职）"]
    assert experts() == 1


def test_commit_writes_all_rows_with_their_ties_and_history(bureau):
    firm = EnterpriseFactory(name="华海（临海）制剂有限公司")
    preview = pool_import.preview(bureau, "专家.xlsx", workbook(
        ["李明", "高级工程师", "台州学院", "卓越绩效、机械", "是",
         "现任职单位：华海（临海）制剂有限公司\n咨询服务关系：集团：精工集团|年度顾问"],
        ["陈静", "教授", "临海市质检院", "医药", "", "曾任职单位：某某研究院"],
    ))
    assert preview.failed == 0 and preview.token
    made = pool_import.commit(bureau, preview.token)
    assert [e.name for e in made] == ["李明", "陈静"]
    li = db.session.scalar(select(Expert).where(Expert.name == "李明"))
    assert li.can_lead and li.specialties == ["卓越绩效", "机械"] and li.active
    ties = {(t.kind, t.enterprise_id, t.org_name, t.group_name, t.note) for t in li.ties}
    assert ties == {("employer", firm.id, None, None, None), ("consultant", None, None, "精工集团", "年度顾问")}
    chen = db.session.scalar(select(Expert).where(Expert.name == "陈静"))
    assert not chen.can_lead and [(t.kind, t.org_name) for t in chen.ties] == [("former_employer", "某某研究院")]
    logs = pool.change_history(bureau, li.id)
    assert len([log for log, _ in logs if log.entity == "expert_ties"]) == 2
    assert {log.actor_id for log, _ in logs} == {bureau.id}


def test_commit_is_all_or_nothing_when_the_pool_changed_meanwhile(bureau):
    preview = pool_import.preview(bureau, "专家.xlsx", workbook(["李明", "", "台州学院", "", "", ""],
                                                                ["陈静", "", "", "", "", ""]))
    assert preview.token
    pool.create_expert(bureau, name="陈静")  # someone entered her by hand after the preview
    ties_before = db.session.scalar(select(func.count(ExpertTie.id)))
    with pytest.raises(pool_import.ImportRefused) as err:
        pool_import.commit(bureau, preview.token)
    assert [r.row for r in err.value.preview.rows if r.errors] == [3]
    assert experts() == 1 and db.session.scalar(select(func.count(ExpertTie.id))) == ties_before


def test_forged_foreign_and_missing_tokens_are_refused(bureau, make_user):
    preview = pool_import.preview(bureau, "专家.xlsx", workbook(["李明", "", "", "", "", ""]))
    colleague = make_user("bureau")
    for actor, token in ((bureau, preview.token[:-3] + "abc"), (colleague, preview.token), (bureau, ""),
                         (bureau, "\x00")):
        with pytest.raises(ValidationFailed) as err:
            pool_import.commit(actor, token)
        assert "token" in err.value.errors
    assert experts() == 0


@pytest.mark.parametrize("name,data,text", [
    (None, b"", "请选择"),
    ("专家.xls", workbook(["李明"]).getvalue(), ".xlsx"),
    ("专家.xlsx", b"<html>not a workbook</html>", "不是 Excel"),
    ("专家.xlsx", workbook(["李明"], header=["名字"]).getvalue(), "姓名"),
    ("专家.xlsx", workbook().getvalue(), "没有专家数据"),
])
def test_bad_files_are_refused_on_the_file_field(bureau, name, data, text):
    with pytest.raises(ValidationFailed) as err:
        pool_import.preview(bureau, name, io.BytesIO(data))
    assert text in err.value.errors["file"][0]


def test_import_pages(client, auth, bureau):
    auth.login(bureau)
    template = client.get("/awards/pool/import/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    token = auth.csrf("/awards/pool/import")
    bad = client.post("/awards/pool/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (workbook(["李明", "", "", "", "也许", ""]), "专家.xlsx")})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "其中 1 行有问题" in html and "也许" in html and "全部导入" not in html
    good = client.post("/awards/pool/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (workbook(["李明", "", "台州学院", "", "是", ""]), "专家.xlsx")})
    preview_token = re.search(r'name="token" value="([^"]+)"', good.get_data(as_text=True)).group(1)
    done = client.post("/awards/pool/import/commit", data={"csrf_token": token, "token": preview_token})
    assert done.status_code == 302 and experts() == 1
    again = client.post("/awards/pool/import/commit", data={"csrf_token": token, "token": preview_token})
    assert again.status_code == 200 and "未导入任何专家" in again.get_data(as_text=True) and experts() == 1
    assert client.post("/awards/pool/import/commit", data={"csrf_token": token, "token": "x"}).status_code == 302
    assert "导入预览已失效" in client.get("/awards/pool/import").get_data(as_text=True)
    assert db.session.scalar(select(func.count(ChangeLog.id)).where(ChangeLog.entity == "experts")) == 1
