"""The enterprise list (企业名录): search, filters, sorting, pagination, scope, and a constant query count."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.clock import today
from tests.enterprises.helpers import count_queries, listed_ids
from tests.factories import (CertificationFactory, CreditRecordFactory, EnterpriseFactory, industry,
                             jurisdiction, make_uscc)


@pytest.fixture
def bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


def test_search_by_chinese_substring(client, bureau):
    hit = EnterpriseFactory(name="浙江华海药业股份有限公司")
    EnterpriseFactory(name="临海市杜桥眼镜有限公司")
    resp = client.get("/enterprises", query_string={"q": "华海药业"})
    assert resp.status_code == 200
    assert listed_ids(resp) == [hit.id]
    assert "共 1 家" in resp.get_data(as_text=True)


def test_search_by_credit_code_ignores_case_and_spaces(client, bureau):
    hit = EnterpriseFactory(uscc=make_uscc(77))
    EnterpriseFactory()
    code = hit.uscc.lower()
    resp = client.get("/enterprises", query_string={"q": f" {code[:9]} {code[9:]} "})
    assert listed_ids(resp) == [hit.id]


def test_search_treats_like_wildcards_literally(client, bureau):
    EnterpriseFactory(name="临海甲公司")
    assert listed_ids(client.get("/enterprises", query_string={"q": "%"})) == []
    assert listed_ids(client.get("/enterprises", query_string={"q": "_"})) == []


def test_filter_by_jurisdiction(client, bureau):
    duqiao = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    assert listed_ids(client.get("/enterprises?jurisdiction=331082112")) == [duqiao.id]


def test_a_town_or_industry_code_that_names_nothing_lists_nothing(client, bureau):
    EnterpriseFactory()
    assert listed_ids(client.get("/enterprises?jurisdiction=999999999")) == []
    assert listed_ids(client.get("/enterprises?industry=no_such_industry")) == []
    assert listed_ids(client.get("/enterprises")) != []


def test_filter_by_industry(client, bureau):
    codes = [i.code for i in (industry(),)]
    first = EnterpriseFactory(industry=industry(codes[0]))
    from registry.extensions import db
    from registry.models import Industry
    from sqlalchemy import select

    other_code = db.session.scalars(select(Industry.code).where(Industry.code != codes[0])).first()
    EnterpriseFactory(industry=industry(other_code))
    assert listed_ids(client.get(f"/enterprises?industry={codes[0]}")) == [first.id]


def test_filter_above_scale(client, bureau):
    big = EnterpriseFactory(above_scale=True)
    small = EnterpriseFactory(above_scale=False)
    assert listed_ids(client.get("/enterprises?above_scale=1")) == [big.id]
    assert listed_ids(client.get("/enterprises?above_scale=0")) == [small.id]


def test_filter_pinzibiao_counts_only_certificates_valid_today(client, bureau):
    day = today()
    holder = EnterpriseFactory(name="甲")
    CertificationFactory(enterprise=holder, issued_on=day - dt.timedelta(days=100), expires_on=day + dt.timedelta(days=100))
    expired = EnterpriseFactory(name="乙")
    CertificationFactory(enterprise=expired, issued_on=day - dt.timedelta(days=1200), expires_on=day - dt.timedelta(days=1))
    other_type = EnterpriseFactory(name="丙")
    CertificationFactory(enterprise=other_type, cert_type="iso9001", issued_on=day - dt.timedelta(days=10),
                         expires_on=day + dt.timedelta(days=10))
    resp = client.get("/enterprises?pinzibiao=1")
    assert listed_ids(resp) == [holder.id]
    assert 'class="badge valid pzb"' in resp.get_data(as_text=True)
    assert listed_ids(client.get("/enterprises?pinzibiao=0&sort=name")) == sorted(
        [expired.id, other_type.id], key=lambda i: {expired.id: "乙", other_type.id: "丙"}[i])


def test_filter_credit_status(client, bureau):
    day = today()
    listed = EnterpriseFactory()
    CreditRecordFactory(enterprise=listed, listed_on=day - dt.timedelta(days=30))
    removed = EnterpriseFactory()
    CreditRecordFactory(enterprise=removed, listed_on=day - dt.timedelta(days=300), removed_on=day - dt.timedelta(days=3))
    clean = EnterpriseFactory()
    resp = client.get("/enterprises?credit=listed")
    assert listed_ids(resp) == [listed.id]
    assert "在名单" in resp.get_data(as_text=True)
    assert set(listed_ids(client.get("/enterprises?credit=clean"))) == {removed.id, clean.id}


def test_sorting_by_each_column(client, bureau):
    a = EnterpriseFactory(name="临海A公司", uscc=make_uscc(3), established_on=dt.date(2001, 1, 1))
    b = EnterpriseFactory(name="临海B公司", uscc=make_uscc(1), established_on=dt.date(2015, 1, 1))
    c = EnterpriseFactory(name="临海C公司", uscc=make_uscc(2), established_on=dt.date(2008, 1, 1))
    assert listed_ids(client.get("/enterprises?sort=name")) == [a.id, b.id, c.id]
    assert listed_ids(client.get("/enterprises?sort=name&direction=desc")) == [c.id, b.id, a.id]
    assert listed_ids(client.get("/enterprises?sort=uscc")) == [b.id, c.id, a.id]
    assert listed_ids(client.get("/enterprises?sort=established&direction=desc")) == [b.id, c.id, a.id]
    assert listed_ids(client.get("/enterprises?sort=updated&direction=desc"))[0] == c.id
    body = client.get("/enterprises?sort=name&q=临海").get_data(as_text=True)
    assert "sort=name&amp;direction=desc" in body and "q=%E4%B8%B4%E6%B5%B7" in body  # links keep the search


def test_pagination_twenty_per_page_and_total(client, bureau):
    for n in range(45):
        EnterpriseFactory(name=f"临海分页企业{n:02d}")
    first = client.get("/enterprises?sort=name")
    body = first.get_data(as_text=True)
    assert len(listed_ids(first)) == 20 and "共 45 家" in body and "第 1 / 3 页" in body
    assert len(listed_ids(client.get("/enterprises?sort=name&page=3"))) == 5
    pages = [set(listed_ids(client.get(f"/enterprises?sort=name&page={p}"))) for p in (1, 2, 3)]
    assert len(pages[0] | pages[1] | pages[2]) == 45
    assert "page=2" in body


def test_export_link_carries_the_filters(client, bureau):
    body = client.get("/enterprises?q=华海&above_scale=1").get_data(as_text=True)
    assert "导出Excel" in body
    assert "export.xlsx?" in body and "above_scale=1" in body


@pytest.mark.parametrize("query", [
    "page=abc", "page=-3", "page=99999999999999999999999", "sort=password&direction=sideways",
    "above_scale=maybe&pinzibiao=2&credit=x", "jurisdiction=%27%3B--", "q=" + "长" * 3000,
    "q=%00", "_external=1&_scheme=javascript&_anchor=x", "q=<script>alert(1)</script>",
])
def test_junk_query_strings_never_fail(client, bureau, query):
    EnterpriseFactory()
    resp = client.get("/enterprises?" + query)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "javascript:" not in body and "<script>alert(1)" not in body


def test_query_count_does_not_grow_with_rows(client, bureau):
    day = today()

    def measure() -> int:
        client.get("/enterprises")  # warm-up: the first request of a client loads more (session, catalogues)
        with count_queries() as statements:
            assert client.get("/enterprises").status_code == 200
        return len(statements)

    e = EnterpriseFactory()
    CertificationFactory(enterprise=e, issued_on=day - dt.timedelta(days=5), expires_on=day + dt.timedelta(days=5))
    few = measure()
    for _ in range(19):
        e = EnterpriseFactory()
        CertificationFactory(enterprise=e, issued_on=day - dt.timedelta(days=5), expires_on=day + dt.timedelta(days=5))
        CreditRecordFactory(enterprise=e, listed_on=day - dt.timedelta(days=5))
    many = measure()
    assert few == many and many <= 12


def test_enterprise_account_is_sent_to_its_own_page(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    resp = client.get("/enterprises?q=x")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/enterprises/{user.enterprise_id}")


def test_town_reviewer_lists_only_own_jurisdiction(client, auth, make_user):
    town = make_user("town", jurisdiction=jurisdiction("331082112"))
    own = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    auth.login(town)
    resp = client.get("/enterprises")
    assert listed_ids(resp) == [own.id]
    assert listed_ids(client.get("/enterprises?jurisdiction=331082001")) == []
    assert "新增企业" not in resp.get_data(as_text=True)


def test_expert_has_no_registry_list(client, auth, make_user):
    auth.login(make_user("expert"))
    assert client.get("/enterprises").status_code == 403


def test_list_requires_sign_in(client):
    assert client.get("/enterprises").status_code == 302


def test_nav_shows_the_registry_to_staff_only(client, auth, make_user):
    auth.login(make_user("bureau"))
    assert "企业名录" in client.get("/").get_data(as_text=True)


def test_a_page_past_the_end_offers_the_first_page(client, bureau):
    EnterpriseFactory()
    body = client.get("/enterprises?page=9&above_scale=1").get_data(as_text=True)
    assert "该页没有记录" in body and 'href="/enterprises?above_scale=1"' in body


def test_the_filters_read_the_catalogues_once_and_see_a_rename_at_once(client, bureau, app, monkeypatch):
    """The town and industry choices come through the reference cache (registry.refcache): a warm list reads
    neither catalogue, and renaming a town in this process shows on the next view."""
    from registry import refcache
    from registry.extensions import db

    monkeypatch.setitem(app.config, "REFERENCE_CACHE_SECONDS", 3600)
    refcache.clear()
    EnterpriseFactory()
    client.get("/enterprises")
    with count_queries() as statements:
        body = client.get("/enterprises").get_data(as_text=True)
    assert not any("FROM jurisdictions" in s or "FROM industries" in s for s in statements), statements
    assert '<option value="331082001">古城街道</option>' in body
    town = jurisdiction("331082001")
    town.name = "古城街道（新）"
    db.session.commit()
    assert '<option value="331082001">古城街道（新）</option>' in client.get("/enterprises").get_data(as_text=True)
    selected = client.get("/enterprises?jurisdiction=331082001&above_scale=1").get_data(as_text=True)
    assert '<option selected value="331082001">古城街道（新）</option>' in selected
    assert '<option selected value="1">规上</option>' in selected


def test_a_filter_code_is_looked_up_in_the_cached_catalogue(client, bureau, app, monkeypatch):
    """With the reference cache on, a town or industry filter reads no catalogue, and a code that names nothing (or
    a town added in this process) is still answered rightly."""
    from registry import refcache
    from registry.extensions import db
    from registry.models import Jurisdiction

    monkeypatch.setitem(app.config, "REFERENCE_CACHE_SECONDS", 3600)
    refcache.clear()
    here = EnterpriseFactory(jurisdiction=jurisdiction("331082001"), industry=industry("auto_machinery"))
    EnterpriseFactory(jurisdiction=jurisdiction("331082002"))
    client.get("/enterprises?jurisdiction=331082001&industry=auto_machinery")
    with count_queries() as statements:
        got = client.get("/enterprises?jurisdiction=331082001&industry=auto_machinery")
    assert listed_ids(got) == [here.id]
    assert not any("FROM jurisdictions" in s or "FROM industries" in s for s in statements), statements
    assert listed_ids(client.get("/enterprises?jurisdiction=999999999")) == []
    db.session.add(Jurisdiction(code="331082999", name="测试新镇", kind="town", sort_order=99, active=True))
    db.session.commit()
    moved = EnterpriseFactory(jurisdiction=jurisdiction("331082999"))
    assert listed_ids(client.get("/enterprises?jurisdiction=331082999")) == [moved.id]
