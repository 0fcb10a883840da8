"""The per-test cleanup puts the catalogues back: jurisdictions and industries outlive each test (they are not
emptied), so one test retiring, renaming or adding an entry must not change what later tests see. A junk POST
to the retire route once retired 古城街道 for the rest of the process and emptied its row from the town
assessment of a later test."""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.models import Industry, Jurisdiction
from tests.conftest import _catalogue_rows, _restore_catalogues, csrf_token_from


def test_catalogue_changes_are_undone_by_the_cleanup(app, client, auth, make_user):
    seeded = app.extensions["test_catalogues"]
    gucheng = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082001"))
    auth.login(make_user("bureau"))
    token = csrf_token_from(client.get("/admin/catalogues/jurisdictions").get_data(as_text=True))
    # retire it through the page's own button (junk is refused now; it used to retire the entry)
    assert client.post(f"/admin/catalogues/jurisdictions/{gucheng.id}/active",
                       data={"active": "0", "csrf_token": token}).status_code == 302
    auto = db.session.scalar(select(Industry).where(Industry.code == "auto_machinery"))
    auto.name, auto.cluster = "改名的产业", False
    db.session.add(Jurisdiction(code="331082998", name="测试新区", kind="zone", sort_order=99))
    db.session.commit()
    db.session.refresh(gucheng)
    assert gucheng.active is False
    db.session.commit()  # end the session's read snapshot, as the cleanup does before restoring

    with db.engine.begin() as conn:
        _restore_catalogues(conn, seeded)
    db.session.expire_all()
    assert db.session.get(Jurisdiction, gucheng.id).active is True
    assert (auto.name, auto.cluster) == ("汽车机械", True)
    assert db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082998")) is None
    with db.engine.connect() as conn:
        assert _catalogue_rows(conn) == seeded
