"""Issue 12 item 13: search by a partial credit code (its start) finds the enterprise, from an index."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from registry.extensions import db
from registry.services.enterprises import EnterpriseFilters, filtered_query
from tests.enterprises.helpers import listed_ids
from tests.factories import EnterpriseFactory, make_uscc


def test_the_start_of_a_credit_code_finds_the_enterprise(client, auth, make_user):
    auth.login(make_user("bureau"))
    hit = EnterpriseFactory(uscc=make_uscc(31 ** 5 * 7 + 3))  # ...differs from the others from the 11th character
    others = [EnterpriseFactory(uscc=make_uscc(n)) for n in (1, 2)]
    prefix = hit.uscc[:12]
    assert not any(o.uscc.startswith(prefix) for o in others)
    for q in (prefix, prefix.lower(), f" {prefix[:6]} {prefix[6:]} "):
        assert listed_ids(client.get("/enterprises", query_string={"q": q})) == [hit.id], q
    assert sorted(listed_ids(client.get("/enterprises", query_string={"q": "91331082"}))) == sorted(
        [hit.id] + [o.id for o in others])  # the division's enterprises


def test_a_trade_name_is_still_a_name_search(client, auth, make_user):
    auth.login(make_user("bureau"))
    hit = EnterpriseFactory(name="临海市ABCD眼镜有限公司")
    assert listed_ids(client.get("/enterprises", query_string={"q": "ABCD"})) == [hit.id]


def _plan(query) -> str:
    compiled = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(db.session.scalars(text("EXPLAIN " + compiled)))
    return "\n".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + compiled)))


def test_a_prefix_is_answered_from_an_index(make_user):
    bureau = make_user("bureau")
    for n in range(30):
        EnterpriseFactory(uscc=make_uscc(n))
    plan = _plan(filtered_query(bureau, EnterpriseFilters(q="9133108200")))
    if db.engine.dialect.name == "postgresql":
        assert "ix_enterprises_uscc_prefix" in plan, plan
    else:
        assert "USING INDEX" in plan and "uscc" in plan, plan
    full = _plan(filtered_query(bureau, EnterpriseFilters(q=make_uscc(3))))
    assert "INDEX" in full.upper() and "uscc" in full, full  # a full code: an index lookup too


@pytest.mark.parametrize("q", ["9133", "abc1"])
def test_short_or_odd_prefixes_do_not_500(client, auth, make_user, q):
    auth.login(make_user("bureau"))
    assert client.get("/enterprises", query_string={"q": q}).status_code == 200
