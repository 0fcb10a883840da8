"""The expert pool (专家库): service rules, who may reach the pages, form errors, and how ties reach the draw
(the next draw only: a recorded draw replays from its record whatever the pool became)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.awards import panels, pool
from registry.awards.draw import replay
from registry.awards.models import Expert, ExpertTie, PanelDraw
from registry.extensions import db
from registry.models import ChangeLog, User
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.awards.conftest import NOW
from tests.conftest import Auth, csrf_token_from
from tests.factories import EnterpriseFactory, UserFactory


def new_expert(bureau, name="李明", **kw):
    return pool.create_expert(bureau, name=name, title=kw.pop("title", "高级工程师"),
                              employer=kw.pop("employer", "台州学院"), specialties=kw.pop("specialties", "卓越绩效、机械"),
                              can_lead=kw.pop("can_lead", True))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# --- experts ---------------------------------------------------------------------------------------------------

def test_create_validates_each_field_and_refuses_a_duplicate_naming_it(bureau):
    expert = new_expert(bureau, specialties="卓越绩效，机械\n卓越绩效；  ")
    assert expert.specialties == ["卓越绩效", "机械"] and expert.active and expert.can_lead
    with pytest.raises(ValidationFailed) as err:
        pool.create_expert(bureau, name="  ", title="x" * 65, employer="a\x00b",
                           specialties=[str(i) for i in range(13)])
    assert set(err.value.errors) == {"name", "title", "employer", "specialties"}
    with pytest.raises(ValidationFailed) as err:
        pool.create_expert(bureau, name="王五", specialties=["x" * 33])
    assert "specialties" in err.value.errors
    with pytest.raises(Conflict) as err:
        pool.create_expert(bureau, name="李明", employer=" 台州学院 ")
    assert err.value.existing_id == expert.id and f"编号 {expert.id}" in err.value.message and "台州学院" in err.value.message
    other = pool.create_expert(bureau, name="李明", employer="浙江大学")  # same name elsewhere: another person
    with pytest.raises(Conflict):
        pool.update_expert(bureau, other.id, name="李明", title=None, employer="台州学院", specialties=[], can_lead=False)
    pool.update_expert(bureau, other.id, name="李明", title="教授", employer="浙江大学", specialties="质量管理",
                       can_lead=False)
    assert fresh(Expert, other.id).title == "教授"


def test_only_bureau_and_admin_use_the_pool(bureau, make_user):
    expert = new_expert(bureau)
    admin = make_user("admin")
    assert pool.get_expert(admin, expert.id).id == expert.id
    for role in ("enterprise", "town", "expert"):
        user = make_user(role)
        with pytest.raises(Forbidden):
            pool.list_experts(user, pool.ExpertFilters())
        with pytest.raises(Forbidden):
            pool.add_tie(user, expert.id, kind="employer", org_name="某单位")
    with pytest.raises(NotFound):
        pool.get_expert(bureau, 987654)


def test_list_filters_and_pages(bureau):
    for i in range(23):
        pool.create_expert(bureau, name=f"张{i:02d}", employer=f"单位{i}", specialties=["机械"] if i % 2 else ["医药"],
                           can_lead=i % 5 == 0)
    retired = pool.create_expert(bureau, name="张退休", specialties=["机械"])
    pool.set_active(bureau, retired.id, False)
    page = pool.list_experts(bureau, pool.ExpertFilters(), page=2, per_page=20)
    assert page.total == 23 and len(page.items) == 3 and page.pages == 2  # active only by default
    assert [e.name for e in page.items] == ["张20", "张21", "张22"]
    assert pool.list_experts(bureau, pool.ExpertFilters(active="")).total == 24
    assert [e.name for e in pool.list_experts(bureau, pool.ExpertFilters(active="0")).items] == ["张退休"]
    assert pool.list_experts(bureau, pool.ExpertFilters(specialty="机械")).total == 11
    assert pool.list_experts(bureau, pool.ExpertFilters(q="张1", can_lead="1")).total == 2  # 张10, 张15
    assert pool.list_experts(bureau, pool.ExpertFilters(q="%_\\'\"")).total == 0
    assert pool.specialties_in_use() == ["医药", "机械"]


def test_delete_only_before_any_draw(bureau, make_experts, make_entry):
    mistake = new_expert(bureau, name="误录")
    pool.delete_expert(bureau, mistake.id)
    assert fresh(Expert, mistake.id) is None
    experts = make_experts(10)
    entry = make_entry()
    [row] = panels.draw_panels(bureau, [entry.id], NOW, seed="s")
    unseated = next(e for e in experts if e.id not in row.result["panel"] + row.result["substitutes"])
    for expert in (experts[0], unseated):  # seated or only in the recorded pool: both stay
        with pytest.raises(Conflict) as err:
            pool.delete_expert(bureau, expert.id)
        assert "停用" in err.value.message
    pool.set_active(bureau, experts[0].id, False)
    assert panels.verify(row.id)


# --- ties ------------------------------------------------------------------------------------------------------

def test_ties_resolve_the_enterprise_and_refuse_duplicates(bureau):
    expert = new_expert(bureau)
    firm = EnterpriseFactory(name="浙江华海药业（临海）有限公司")
    by_code = pool.add_tie(bureau, expert.id, kind="employer", enterprise=firm.uscc.lower(), note="在职")
    assert by_code.enterprise_id == firm.id and by_code.org_name is None
    by_name = pool.add_tie(bureau, expert.id, kind="consultant", enterprise="浙江华海药业（临海）有限公司")
    assert by_name.enterprise_id == firm.id
    with pytest.raises(Conflict) as err:
        pool.add_tie(bureau, expert.id, kind="employer", enterprise="浙江华海药业（临海）有限公司")
    assert err.value.existing_id == by_code.id and "现任职单位" in err.value.message and firm.name in err.value.message
    free = pool.add_tie(bureau, expert.id, kind="former_employer", org_name="某某研究院", group_name="某集团")
    with pytest.raises(Conflict):
        pool.add_tie(bureau, expert.id, kind="former_employer", org_name=" 某某研究院", group_name="某集团 ")
    for kwargs, field in (({"kind": "friend", "org_name": "x"}, "kind"),
                          ({"kind": "employer"}, "enterprise"),
                          ({"kind": "employer", "enterprise": "不存在的公司"}, "enterprise"),
                          ({"kind": "employer", "enterprise": firm.uscc, "org_name": "x"}, "org_name"),
                          ({"kind": "employer", "org_name": "y" * 201}, "org_name"),
                          ({"kind": "employer", "org_name": "x", "note": "a\x00"}, "note")):
        with pytest.raises(ValidationFailed) as err:
            pool.add_tie(bureau, expert.id, **kwargs)
        assert field in err.value.errors, (kwargs, err.value.errors)
    twin = EnterpriseFactory(name="同名公司")
    EnterpriseFactory(name="同名公司")
    with pytest.raises(ValidationFailed) as err:
        pool.add_tie(bureau, expert.id, kind="employer", enterprise="同名公司")
    assert "统一社会信用代码" in err.value.errors["enterprise"][0]
    assert pool.add_tie(bureau, expert.id, kind="employer", enterprise=twin.uscc).enterprise_id == twin.id
    other = new_expert(bureau, name="另一位")
    with pytest.raises(NotFound):
        pool.remove_tie(bureau, other.id, free.id)  # not that expert's tie
    pool.remove_tie(bureau, expert.id, free.id)
    assert fresh(ExpertTie, free.id) is None


def test_a_tie_reaches_the_next_draw_only_and_the_old_draw_still_replays(bureau, make_experts, make_entry):
    applicant = EnterpriseFactory(name="浙江临海精工机械有限公司", group_name="精工集团")
    experts = make_experts(10)
    entry = make_entry(applicant)
    first = panels.draw_panels(bureau, [entry.id], NOW, seed="round-1")[0]
    assert first.inputs["exclusions"] == []
    target = first.result["panel"][1]
    pool.add_tie(bureau, target, kind="former_employer", enterprise=applicant.uscc, note="2019 年离职")
    group_tied = next(e.id for e in experts if e.id not in first.result["panel"])
    pool.add_tie(bureau, group_tied, kind="consultant", group_name="精工集团")
    retired = next(e.id for e in experts if e.id not in (target, group_tied))
    pool.set_active(bureau, retired, False)

    stored = fresh(PanelDraw, first.id)  # the recorded draw is untouched and still replays
    assert panels.verify(first.id) and replay(stored.seed, stored.inputs) == stored.result
    assert stored.inputs["exclusions"] == [] and retired in stored.inputs["pool"]

    second = panels.draw_panels(bureau, [entry.id], NOW, reason="专家关联关系更新", seed="round-2")[0]
    excluded = {x["expert_id"]: [r["code"] for r in x["reasons"]] for x in second.inputs["exclusions"]}
    assert set(excluded) == {target, group_tied} and excluded[group_tied] == ["same_group"]
    assert excluded[target][0] == "former_employer"  # then the applicant's own group and legal representative
    assert retired not in second.inputs["pool"]
    assert not {target, group_tied, retired} & set(second.result["panel"] + second.result["substitutes"])
    assert panels.verify(first.id) and panels.verify(second.id)

    tie = db.session.scalar(select(ExpertTie).where(ExpertTie.expert_id == target))
    pool.remove_tie(bureau, target, tie.id)
    third = panels.draw_panels(bureau, [entry.id], NOW, reason="关联关系已解除", seed="round-3")[0]
    assert target not in {x["expert_id"] for x in third.inputs["exclusions"]}
    assert all(panels.verify(d.id) for d in (first, second, third))


def test_history_shows_seats_and_every_change_with_its_actor(bureau, make_experts, make_entry):
    experts = make_experts(8)
    entry = make_entry()
    row = panels.draw_panels(bureau, [entry.id], NOW, seed="h")[0]
    leader = db.session.get(Expert, row.result["leader"])
    user = db.session.get(User, leader.user_id)
    panels.declare(entry.id, user, conflict=True, reason="曾为该企业提供咨询", now=NOW)
    seats = pool.panel_history(bureau, leader.id)
    assert len(seats) == 1 and seats[0]["status"] == "conflict" and seats[0]["seat"].role == "leader"
    assert seats[0]["seat"].conflict_reason == "曾为该企业提供咨询" and seats[0]["enterprise_name"] == entry.enterprise.name
    promoted = db.session.get(Expert, row.result["substitutes"][0])
    assert pool.panel_history(bureau, promoted.id)[0]["status"] == "awaiting"

    tie = pool.add_tie(bureau, leader.id, kind="consultant", enterprise=entry.enterprise.uscc)
    pool.remove_tie(bureau, leader.id, tie.id)
    pool.update_expert(bureau, leader.id, name=leader.name, title="研究员", employer=leader.employer,
                       specialties=["卓越绩效", "医药"], can_lead=True)
    logs = pool.change_history(bureau, leader.id)
    kinds = [(log.entity, log.action, log.field) for log, _name in logs]
    assert ("expert_ties", "create", None) in kinds and ("expert_ties", "delete", None) in kinds
    assert ("experts", "update", "title") in kinds and ("experts", "update", "specialties") in kinds
    assert {name for _log, name in logs} == {"市局王科长"}
    assert not [e for e in pool.change_history(bureau, experts[-1].id) if e[0].entity == "expert_ties"]


# --- accounts --------------------------------------------------------------------------------------------------

def test_link_an_expert_account_and_refuse_one_linked_elsewhere(bureau, make_user):
    expert = new_expert(bureau)
    other = new_expert(bureau, name="王芳")
    account = make_user("expert", email="wangfang@example.cn")
    pool.link_account(bureau, other.id, " WangFang@example.cn ", NOW)
    assert fresh(Expert, other.id).user_id == account.id
    with pytest.raises(Conflict) as err:
        pool.link_account(bureau, expert.id, "wangfang@example.cn", NOW)
    assert "王芳" in err.value.message and f"编号 {other.id}" in err.value.message
    staff = make_user("bureau", email="staff@example.cn")
    for email, text in (("staff@example.cn", "市局审核员"), ("nobody@example.cn", "没有邮箱"), ("a\x00", "有效")):
        with pytest.raises(ValidationFailed) as err:
            pool.link_account(bureau, expert.id, email, NOW)
        assert text in err.value.errors["email"][0]
    assert staff.id
    created = pool.create_account(bureau, expert.id, "liming@example.cn", "long-enough-pass", "13800000000", NOW)
    assert created.role == "expert" and created.display_name == "李明" and fresh(Expert, expert.id).user_id == created.id
    with pytest.raises(Conflict):  # the e-mail is taken (the accounts service's own rule)
        pool.create_account(bureau, other.id, "liming@example.cn", "long-enough-pass", None, NOW)
    with pytest.raises(ValidationFailed) as err:
        pool.create_account(bureau, other.id, "new@example.cn", "short", None, NOW)
    assert "password" in err.value.errors
    pool.unlink_account(bureau, expert.id, NOW)
    assert fresh(Expert, expert.id).user_id is None


def test_relinking_moves_a_current_seat_to_the_new_account(bureau, make_experts, make_entry):
    from workflows.models import Application, Assignment

    make_experts(8)
    entry = make_entry()
    application = Application(workflow="quality_award", definition_version=1, enterprise_id=entry.enterprise_id,
                              title="申报", stage="document_review", status="in_progress", version=1, data={})
    db.session.add(application)
    db.session.flush()
    entry.application_id = application.id
    db.session.commit()
    row = panels.draw_panels(bureau, [entry.id], NOW, seed="r")[0]
    expert = db.session.get(Expert, row.result["leader"])
    old_user = db.session.get(User, expert.user_id)
    panels.declare(entry.id, old_user, conflict=False, reason=None, now=NOW)
    new_user = UserFactory(role="expert")
    pool.link_account(bureau, expert.id, new_user.email, NOW)
    db.session.expire_all()
    active = {a.user_id for a in db.session.scalars(select(Assignment).where(
        Assignment.application_id == application.id, Assignment.active.is_(True)))}
    assert new_user.id in active and old_user.id not in active


# --- pages -----------------------------------------------------------------------------------------------------

def test_pages_are_404_for_enterprise_town_and_expert(app, bureau, make_user):
    expert = new_expert(bureau)
    tie = pool.add_tie(bureau, expert.id, kind="employer", org_name="某单位")
    users = [make_user(role) for role in ("enterprise", "town", "expert")]
    before = db.session.query(ChangeLog).count()
    for user in users:
        role = user.role
        client = app.test_client()
        auth = Auth(client)
        assert auth.login(user).status_code == 302
        token = auth.csrf("/")
        for path in ("/awards/pool", "/awards/pool/new", f"/awards/pool/{expert.id}", f"/awards/pool/{expert.id}/edit"):
            assert client.get(path).status_code == 404, (role, path)
        for path, data in ((f"/awards/pool/{expert.id}/ties", {"kind": "employer", "org_name": "x"}),
                           (f"/awards/pool/{expert.id}/ties/{tie.id}/remove", {}),
                           (f"/awards/pool/{expert.id}/deactivate", {}),
                           (f"/awards/pool/{expert.id}/account", {"email": "x@example.cn"}),
                           ("/awards/pool/new", {"name": "闯入者"})):
            assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, (role, path)
    assert db.session.query(ChangeLog).count() == before
    assert "评审专家库" not in app.test_client().get("/awards").get_data(as_text=True)


def test_bureau_pages_create_edit_tie_and_show_form_errors(client, auth, bureau, make_user):
    auth.login(bureau)
    assert "评审专家库" in client.get("/awards").get_data(as_text=True)
    token = auth.csrf("/awards/pool/new")
    page = client.post("/awards/pool/new", data={"name": "", "specialties": "、".join(str(i) for i in range(13)),
                                                  "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "请填写专家姓名" in html and "专业领域最多 12 项" in html
    made = client.post("/awards/pool/new", data={"name": "陈静", "title": "教授级高工", "employer": "临海市质检院",
                                                 "specialties": "卓越绩效\n医药", "can_lead": "y", "csrf_token": token})
    assert made.status_code == 302
    expert = db.session.scalar(select(Expert).where(Expert.name == "陈静"))
    show = f"/awards/pool/{expert.id}"
    assert made.headers["Location"].endswith(show)
    dup = client.post("/awards/pool/new", data={"name": "陈静", "employer": "临海市质检院", "csrf_token": token})
    assert f"编号 {expert.id}" in dup.get_data(as_text=True)

    firm = EnterpriseFactory(name="临海某某医药有限公司")
    bad = client.post(f"{show}/ties", data={"kind": "employer", "enterprise": "查无此企业", "csrf_token": token})
    assert bad.status_code == 200 and "名录中没有统一社会信用代码或名称为“查无此企业”的企业" in bad.get_data(as_text=True)
    ok = client.post(f"{show}/ties", data={"kind": "consultant", "enterprise": firm.uscc, "note": "顾问",
                                           "csrf_token": token})
    assert ok.status_code == 302
    again = client.post(f"{show}/ties", data={"kind": "consultant", "enterprise": firm.name, "csrf_token": token})
    assert "该专家已有相同的关联" in again.get_data(as_text=True)
    html = client.get(show).get_data(as_text=True)
    assert firm.name in html and "咨询服务关系" in html and "顾问" in html and "变更记录" in html

    make_user("enterprise", email="boss@example.cn")
    wrong = client.post(f"{show}/account", data={"email": "boss@example.cn", "csrf_token": token})
    assert "只能关联评审专家账户" in wrong.get_data(as_text=True)
    created = client.post(f"{show}/account/new", data={"email": "chenjing@example.cn", "password": "temporary-pass-1",
                                                       "csrf_token": token})
    assert created.status_code == 302 and "chenjing@example.cn" in client.get(show).get_data(as_text=True)

    edit = client.post(f"{show}/edit", data={"name": "陈静", "title": "", "employer": "台州学院",
                                             "specialties": "卓越绩效", "csrf_token": token})
    assert edit.status_code == 302 and fresh(Expert, expert.id).employer == "台州学院"
    assert not fresh(Expert, expert.id).can_lead  # an unticked box is False
    assert client.post(f"{show}/deactivate", data={"csrf_token": token}).status_code == 302
    assert "已停用 陈静" in client.get(show).get_data(as_text=True)  # the flash
    assert not fresh(Expert, expert.id).active
    assert "陈静" not in client.get("/awards/pool").get_data(as_text=True)
    listed = client.get("/awards/pool?active=0&q=陈").get_data(as_text=True)
    assert "陈静" in listed and "已停用" in listed
    assert client.get("/awards/pool?page=abc&active=junk&specialty=%00").status_code == 200
    assert client.post(f"/awards/pool/{expert.id}/ties/987654/remove", data={"csrf_token": token}).status_code == 404
    assert client.get("/awards/pool/987654").status_code == 404
    history = client.get(show).get_data(as_text=True)
    assert "工作单位" in history and "临海市质检院" in history and "台州学院" in history and "市局王科长" in history
    assert csrf_token_from(history)


def test_a_draw_for_one_round_refuses_an_entry_of_another(bureau, make_experts, make_entry, award_round, client):
    """Issue 9 item 3: the entry ids posted to a round's draw must be that round's (the page's form names them)."""
    make_experts(10)
    entry = make_entry()
    with pytest.raises(ValidationFailed) as err:
        panels.draw_panels(bureau, [entry.id], NOW, seed="s", round_id=award_round.id + 1000)
    assert "entry_ids" in err.value.errors
    assert db.session.scalar(select(PanelDraw.id)) is None
    auth = Auth(client)
    auth.login(bureau)
    other = f"/awards/rounds/{award_round.id + 1000}/draw"
    page = client.get(f"/awards/rounds/{award_round.id}")
    client.post(other, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "entry_ids": [str(entry.id)],
                             "size": "5", "substitutes": "2"})
    assert db.session.scalar(select(PanelDraw.id)) is None
    panels.draw_panels(bureau, [entry.id], NOW, seed="s", round_id=award_round.id)
    assert db.session.scalar(select(PanelDraw.id)) is not None
