"""The enterprise page: every record kind, computed certificate status, badges, history, scope, query count."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, insert

from registry.clock import today
from registry.extensions import db
from registry.models import ChangeLog, Patent
from tests.enterprises.helpers import count_queries, submit
from tests.factories import (CertificationFactory, CreditRecordFactory, EnterpriseFactory, HonourFactory,
                             IncidentRecordFactory, PatentFactory, StandardDrafterFactory, TrademarkFactory,
                             _patent_number, jurisdiction)

KIND_LABELS = ("标准", "认证证书", "荣誉", "专利", "商标", "信用记录", "质量安全事件")


def _page(client, enterprise_id: int) -> str:
    resp = client.get(f"/enterprises/{enterprise_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_certificate_past_expiry_shows_expired_without_any_edit(client, auth, make_user):
    auth.login(make_user("bureau"))
    day = today()
    e = EnterpriseFactory()
    CertificationFactory(enterprise=e, number="OLD-1", status="valid",
                         issued_on=day - dt.timedelta(days=1100), expires_on=day - dt.timedelta(days=1))
    CertificationFactory(enterprise=e, number="NEW-1", issued_on=day - dt.timedelta(days=10),
                         expires_on=day + dt.timedelta(days=1000))
    CertificationFactory(enterprise=e, number="SUS-1", cert_type="iso9001", status="suspended",
                         status_changed_on=day - dt.timedelta(days=2), issued_on=day - dt.timedelta(days=50),
                         expires_on=day + dt.timedelta(days=500))
    body = _page(client, e.id)
    assert '<span class="badge expired">已过期</span>' in body
    assert '<span class="badge valid">有效</span>' in body
    assert '<span class="badge suspended">已暂停</span>' in body
    assert "1 张证书已过期" in body
    assert "品字标浙江制造" in body  # the badge: NEW-1 is valid today


def test_every_record_kind_is_shown_in_its_section(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    StandardDrafterFactory(enterprise=e, standard__title="汽车制动盘标准")
    CertificationFactory(enterprise=e, number="CERT-777")
    HonourFactory(enterprise=e, title="钱江杯项目甲")
    PatentFactory(enterprise=e, title="一种刹车片")
    TrademarkFactory(enterprise=e, mark="临海牌")
    CreditRecordFactory(enterprise=e, listed_on=today() - dt.timedelta(days=5), reason="未按时年报")
    IncidentRecordFactory(enterprise=e, description="抽查不合格一批次")
    body = _page(client, e.id)
    for label in KIND_LABELS:
        assert f"<h2>{label} <small" in body
    for text in ("汽车制动盘标准", "CERT-777", "钱江杯项目甲", "一种刹车片", "临海牌", "未按时年报", "抽查不合格一批次"):
        assert text in body
    assert "在信用名单" in body
    assert 'data-label="' in body and 'class="list stack"' in body


def _bulk_patents(enterprise_id: int, n: int, first_day: dt.date) -> None:
    """``n`` patents of one enterprise in one core insert, filed one a day from ``first_day`` (newest last);
    titles 专利0000 .. so a page's rows can be named."""
    db.session.execute(insert(Patent), [
        {"enterprise_id": enterprise_id, "number": _patent_number(2019, 1, 200000 + enterprise_id * 10000 + i),
         "patent_type": "invention", "title": f"专利{i:04d}", "filed_on": first_day + dt.timedelta(days=i),
         "status": "granted"} for i in range(n)])
    db.session.commit()


def _bulk_history(enterprise_id: int, n: int) -> None:
    """``n`` changes of the enterprise's legal representative in one core insert, one a minute (newest last):
    new values 代表0000 .. so a page's rows can be named."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    db.session.execute(insert(ChangeLog), [
        {"enterprise_id": enterprise_id, "changed_at": start + dt.timedelta(minutes=i), "entity": "enterprises",
         "entity_id": enterprise_id, "action": "update", "field": "legal_representative",
         "old_value": f"旧{i:04d}", "new_value": f"代表{i:04d}"} for i in range(n)])
    db.session.commit()


def test_query_count_is_the_same_for_one_record_a_hundred_and_two_thousand(client, auth, make_user):
    auth.login(make_user("bureau"))
    day = today()
    small, big, huge = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    CertificationFactory(enterprise=small)
    factories = (StandardDrafterFactory, CertificationFactory, HonourFactory, PatentFactory, TrademarkFactory,
                 CreditRecordFactory, IncidentRecordFactory)
    for n in range(100):
        factory = factories[n % len(factories)]
        extra = {"listed_on": day - dt.timedelta(days=n)} if factory is CreditRecordFactory else {}
        if factory is IncidentRecordFactory:
            extra = {"occurred_on": day - dt.timedelta(days=n)}
        factory(enterprise=big, **extra)
        if factory is not PatentFactory:
            factory(enterprise=huge, **extra)
    _bulk_patents(huge.id, 2_000 - 86, dt.date(2010, 1, 1))
    _bulk_history(huge.id, 1_000)

    def measure(path: str) -> int:
        client.get(path)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    counts = {path: measure(path) for path in (
        f"/enterprises/{small.id}", f"/enterprises/{big.id}", f"/enterprises/{huge.id}",
        f"/enterprises/{huge.id}?patents_page=50", f"/enterprises/{huge.id}?patents_page=3&certifications_page=2",
        f"/enterprises/{huge.id}?history_page=30", f"/enterprises/{huge.id}?history_page=51&patents_page=2",
        f"/enterprises/{huge.id}?history_page=abc")}
    assert len(set(counts.values())) == 1, counts
    assert counts[f"/enterprises/{big.id}"] <= 16


def test_each_kind_shows_one_page_its_total_and_a_pager(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    _bulk_patents(e.id, 25, dt.date(2020, 1, 1))
    CertificationFactory(enterprise=e, number="ONLY-1")
    body = _page(client, e.id)
    assert "<h2>专利 <small class=\"muted\">(25)</small>" in body
    assert '<a href="#patents">专利 <span class="count">25</span>' in body
    shown = re.findall(r"专利(\d{4})", body)
    assert shown == [f"{i:04d}" for i in range(24, 14, -1)]  # the 10 newest, newest first
    assert "第 1–10 条，共 25 条" in body and "第 1 / 3 页" in body
    assert f'href="/enterprises/{e.id}?patents_page=2#patents"' in body
    assert "certifications_page" not in body  # one certificate: no pager for that kind

    last = _page(client, f"{e.id}?patents_page=3")
    assert re.findall(r"专利(\d{4})", last) == [f"{i:04d}" for i in range(4, -1, -1)]
    assert "第 21–25 条，共 25 条" in last and "第 3 / 3 页" in last
    assert f'href="/enterprises/{e.id}?patents_page=2#patents"' in last  # previous
    assert f'href="/enterprises/{e.id}?patents_page=1#patents">« 首页' in last
    assert "ONLY-1" in last  # the other kinds stay on their first page


def test_a_pager_keeps_the_other_kinds_where_they_are(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    _bulk_patents(e.id, 30, dt.date(2020, 1, 1))
    for n in range(12):
        TrademarkFactory(enterprise=e)
    body = _page(client, f"{e.id}?patents_page=2&trademarks_page=2")
    assert f'href="/enterprises/{e.id}?patents_page=3&amp;trademarks_page=2#patents"' in body
    assert f'href="/enterprises/{e.id}?patents_page=2&amp;trademarks_page=1#trademarks"' in body


def test_history_shows_twenty_changes_a_page_its_total_and_a_pager(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    _bulk_history(e.id, 45)  # and the factory's 新增 row, today: 46 changes
    _bulk_patents(e.id, 25, dt.date(2020, 1, 1))
    body = _page(client, e.id)
    history = body[body.index('id="history"'):]
    assert "变更记录 <small class=\"muted\">(46)</small>" in history
    assert '<a href="#history">变更记录 <span class="count">46</span>' in body
    assert re.findall(r"代表(\d{4})", history) == [f"{i:04d}" for i in range(44, 25, -1)]  # the 20 newest first
    assert history.index("新增 · 企业") < history.index("代表0044")
    assert "第 1–20 条，共 46 条" in history and "第 1 / 3 页" in history
    assert f'href="/enterprises/{e.id}?history_page=2#history"' in history
    assert "仅显示最近" not in history  # no cap: older changes are a page away

    last = _page(client, f"{e.id}?history_page=3&patents_page=2")
    history = last[last.index('id="history"'):]
    assert re.findall(r"代表(\d{4})", history) == [f"{i:04d}" for i in range(5, -1, -1)]
    assert "第 41–46 条，共 46 条" in history and "第 3 / 3 页" in history
    assert f'href="/enterprises/{e.id}?patents_page=2&amp;history_page=2#history"' in history  # patents kept
    assert f'href="/enterprises/{e.id}?patents_page=3&amp;history_page=3#patents"' in last  # history kept
    assert re.findall(r"专利(\d{4})", last) == [f"{i:04d}" for i in range(14, 4, -1)]


@pytest.mark.parametrize("raw, shown", [
    ("-5", 1), ("0", 1), ("abc", 1), ("", 1), ("2.5", 1), ("9" * 5000, 1), ("99999999999999999999", 3), ("4", 3)])
def test_a_junk_or_out_of_range_history_page_is_clamped(client, auth, make_user, raw, shown):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    _bulk_history(e.id, 45)
    resp = client.get(f"/enterprises/{e.id}", query_string={"history_page": raw})
    assert resp.status_code == 200
    assert f"第 {shown} / 3 页" in resp.get_data(as_text=True)


def test_an_enterprise_without_history_shows_no_history_pager(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    db.session.execute(delete(ChangeLog).where(ChangeLog.enterprise_id == e.id))
    db.session.commit()
    body = _page(client, f"{e.id}?history_page=7")
    history = body[body.index('id="history"'):]
    assert "暂无变更记录。" in history and "history_page" not in history and "(0)" in history


@pytest.mark.parametrize("raw, shown", [
    ("-5", 1), ("0", 1), ("abc", 1), ("", 1), ("2.5", 1), ("１", 1), ("9" * 5000, 1),  # too long to be read as a number: junk
    ("99999999999999999999", 3),
    ("3", 3), ("4", 3)])
def test_a_junk_or_out_of_range_page_of_a_kind_is_clamped(client, auth, make_user, raw, shown):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    _bulk_patents(e.id, 25, dt.date(2020, 1, 1))
    resp = client.get(f"/enterprises/{e.id}", query_string={"patents_page": raw})
    assert resp.status_code == 200
    assert f"第 {shown} / 3 页" in resp.get_data(as_text=True)


def test_history_shows_field_old_and_new_after_an_edit(client, auth, make_user):
    officer = make_user("bureau", display_name="王科长")
    auth.login(officer)
    e = EnterpriseFactory(legal_representative="张三", jurisdiction=jurisdiction("331082001"))
    form = client.get(f"/enterprises/{e.id}/edit").get_data(as_text=True)
    assert 'value="张三"' in form
    data = {"name": e.name, "uscc": e.uscc, "jurisdiction": "331082112", "industry": e.industry.code,
            "above_scale": "y", "established_on": "2010-05-01", "legal_representative": "李四",
            "address": "浙江省临海市", "version": str(e.version)}
    assert submit(client, f"/enterprises/{e.id}/edit", data).status_code == 302
    body = _page(client, e.id)
    history = body[body.index('id="history"'):]
    assert "王科长" in history and "法定代表人" in history
    assert '<td data-label="原值" class="old">张三</td>' in history
    assert '<td data-label="新值" class="new">李四</td>' in history
    assert "所属镇街" in history and "古城街道" in history and "杜桥镇" in history  # names, not ids


def test_history_of_a_record_uses_the_kind_labels(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    data = {"honour_type": "kuocang_cup", "level": "taizhou", "year": "2023", "title": "括苍大桥工程"}
    assert submit(client, f"/enterprises/{e.id}/honours/new", data).status_code == 302
    history = _page(client, e.id).split('id="history"')[1]
    assert "新增 · 荣誉" in history and "荣誉类型：括苍杯" in history and "级别：台州市级" in history


def test_enterprise_account_sees_only_its_own_page(client, auth, make_user):
    user = make_user("enterprise")
    other = EnterpriseFactory()
    auth.login(user)
    body = _page(client, user.enterprise_id)
    assert "编辑企业信息" in body and "删除企业" not in body
    assert "+ 新增专利" in body and "+ 新增信用记录" not in body and "+ 新增质量安全事件" not in body
    assert client.get(f"/enterprises/{other.id}").status_code == 404
    assert client.get(f"/enterprises/{other.id}/edit").status_code == 404
    assert client.get(f"/enterprises/{other.id}/patents/new").status_code == 404


def test_town_reviewer_reads_own_jurisdiction_without_edit_buttons(client, auth, make_user):
    town = make_user("town", jurisdiction=jurisdiction("331082112"))
    own = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    CertificationFactory(enterprise=own)
    elsewhere = EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    auth.login(town)
    body = _page(client, own.id)
    for button in ("编辑企业信息", "删除企业", "+ 新增", ">编辑<", ">删除<"):
        assert button not in body
    assert client.get(f"/enterprises/{elsewhere.id}").status_code == 404


def test_unknown_enterprise_and_kind_answer_404(client, auth, make_user):
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    assert client.get("/enterprises/999999").status_code == 404
    assert client.get(f"/enterprises/{e.id}/gadgets/new").status_code == 404
    assert client.get(f"/enterprises/{e.id}/patents/999999/edit").status_code == 404


def test_expert_cannot_open_an_enterprise(client, auth, make_user):
    e = EnterpriseFactory()
    auth.login(make_user("expert"))
    assert client.get(f"/enterprises/{e.id}").status_code == 404


def test_history_shows_choice_labels_for_a_record_change(client, auth, make_user):
    auth.login(make_user("bureau"))
    cert = CertificationFactory(issued_on=dt.date(2024, 1, 1), expires_on=dt.date(2027, 1, 1))
    data = {"cert_type": "pinzibiao", "number": cert.number, "issued_on": "2024-01-01", "expires_on": "2027-01-01",
            "status": "suspended", "status_changed_on": "2024-06-01"}
    path = f"/enterprises/{cert.enterprise_id}/certifications/{cert.id}/edit"
    assert submit(client, path, data).status_code == 302
    history = _page(client, cert.enterprise_id).split('id="history"')[1]
    assert "修改 · 认证证书" in history and "登记状态" in history
    assert 'class="old">有效</td>' in history and 'class="new">暂停</td>' in history


def test_record_cells_are_escaped(client, auth, make_user):
    """The cells are written in Python (registry.enterprises.display), not by Jinja's autoescape: markup a user
    typed stays text."""
    auth.login(make_user("bureau"))
    e = EnterpriseFactory()
    PatentFactory(enterprise=e, title='<img src=x onerror="alert(1)">&amp;')
    body = _page(client, e.id)
    assert '<img src=x' not in body
    assert '<td data-label="专利名称">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;amp;</td>' in body
