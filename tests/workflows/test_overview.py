"""申报总览: every application of every workflow, open and closed; filters, search by name or credit code, paging,
the .xlsx export saying what the page says; towns see theirs; enterprises and experts have no list."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook
from sqlalchemy import update

from registry import clock
from registry.extensions import db

from tests.workflows.conftest import place
from workflows.models import Application
from workflows.services import applications


def _start(user, product: str):
    return applications.start(user, "pinzibiao", None, {"product": product, "standard_proposal": "x",
                                                        "self_assessment": "y"})


def _world(cast):
    """Four applications: the cast's draft, one in town review overdue, one rejected (closed), one elsewhere."""
    draft = _start(cast.applicant, "草稿齿轮")
    late = _start(cast.applicant, "超期阀门")
    place(late.id, "town_recommendation", "in_progress")
    db.session.execute(update(Application).where(Application.id == late.id)
                       .values(due_at=clock.now() - timedelta(days=3)))
    closed = _start(cast.applicant, "未通过水泵")
    place(closed.id, "town_recommendation", "rejected")
    away = _start(cast.other_applicant, "外镇电机")
    db.session.commit()
    return draft, late, closed, away


def _titles(html: str, *titles: str) -> set[str]:
    return {t for t in titles if t in html}


ALL = ("草稿齿轮", "超期阀门", "未通过水泵", "外镇电机")


def test_bureau_sees_every_application_open_and_closed_and_filters_them(cast, client, auth):
    _draft, late, closed, away = _world(cast)
    auth.login(cast.bureau)
    page = client.get("/applications/all")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _titles(html, *ALL) == set(ALL)
    assert "申报总览" in html and 'href="/applications/all"' in html  # the menu entry

    def shown(query: str) -> set[str]:
        return _titles(client.get(f"/applications/all?{query}").get_data(as_text=True), *ALL)

    assert shown("status=rejected") == {"未通过水泵"}
    assert shown("stage=town_recommendation") == {"超期阀门", "未通过水泵"}
    assert shown("overdue=1") == {"超期阀门"}
    assert shown(f"town={cast.other_applicant.enterprise.jurisdiction_id}") == {"外镇电机"}
    assert shown("workflow=pinzibiao") == set(ALL)
    assert shown("workflow=quality_award") == set()
    assert shown(f"year={clock.today().year}") == set(ALL)
    assert shown(f"year={clock.today().year - 1}") == set()
    assert shown("q=" + quote(cast.enterprise.name[4:])) == {"草稿齿轮", "超期阀门", "未通过水泵"}
    assert shown("q=" + cast.other_applicant.enterprise.uscc[-8:].lower()) == {"外镇电机"}  # part of the code
    assert shown("q=%25") == set()  # a LIKE wildcard is searched for, not obeyed
    assert client.get("/applications/all?year=abc&town=x&status=nonsense&page=-3").status_code == 200


def test_overview_pages(cast, client, auth):
    for n in range(30):
        _start(cast.applicant, f"产品{n:02d}")
    auth.login(cast.bureau)
    first = client.get("/applications/all").get_data(as_text=True)
    second = client.get("/applications/all?page=2").get_data(as_text=True)
    assert "共 30 件" in first and "第 1 / 2 页" in first
    assert "产品29" in first and "产品00" not in first  # newest first
    assert "产品00" in second and "产品29" not in second


def test_town_sees_only_its_jurisdiction_and_others_have_no_list(cast, client, auth):
    _world(cast)
    auth.login(cast.town)
    html = client.get("/applications/all").get_data(as_text=True)
    assert _titles(html, *ALL) == {"草稿齿轮", "超期阀门", "未通过水泵"}
    assert 'name="town"' not in html  # a town reviewer has nothing to choose there
    wb = load_workbook(BytesIO(client.get("/applications/all/export.xlsx").data))
    assert "外镇电机" not in [c.value for row in wb.active.iter_rows() for c in row]
    auth.logout()
    for user in (cast.applicant, cast.expert):
        auth.login(user)
        assert client.get("/applications/all").status_code == 403
        assert client.get("/applications/all/export.xlsx").status_code == 403
        assert 'href="/applications/all"' not in client.get("/").get_data(as_text=True)
        auth.logout()


def test_export_is_the_filtered_list_in_the_page_words(cast, client, auth):
    _draft, late, _closed, _away = _world(cast)
    auth.login(cast.bureau)
    page = client.get("/applications/all?stage=town_recommendation").get_data(as_text=True)
    response = client.get("/applications/all/export.xlsx?stage=town_recommendation")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(f'申报总览-{clock.today().isoformat()}.xlsx')}" in disposition
    ws = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert "阶段：镇街推荐" in rows[0][0] or "阶段：" in rows[0][0]
    header, body = rows[1], rows[2:]
    assert header[:7] == ["申报类型", "企业名称", "统一社会信用代码", "镇街", "申报名称", "当前阶段", "状态"]
    assert sorted(r[4] for r in body) == ["未通过水泵", "超期阀门"]
    statuses = {r[4]: r[6] for r in body}
    assert statuses == {"超期阀门": "办理中（已超期）", "未通过水泵": "未通过"}
    for text in statuses.values():
        assert text in page  # the page says the same

