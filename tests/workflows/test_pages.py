"""The workflow pages: apply, submit, inbox with bulk recommend, only allowed actions shown, attachments."""
from __future__ import annotations

import io

from sqlalchemy import select

from registry.extensions import db
from workflows.models import Application


def test_enterprise_applies_and_town_bulk_recommends(client, auth, cast):
    auth.login(cast.applicant)
    token = auth.csrf("/applications/new")
    response = client.post("/applications/new", data={"csrf_token": token, "product": "<script>x</script>齿轮",
                                                      "standard_id": "", "standard_proposal": "齿轮标准",
                                                      "self_assessment": "自评良好"})
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'value="submit"' in page and "<script>x</script>" not in page and 'value="recommend"' not in page
    client.post(f"/applications/{application.id}/act", data={"csrf_token": auth.csrf(f"/applications/{application.id}"),
                                                             "action": "submit", "version": 1})
    assert db.session.get(Application, application.id).stage == "town_recommendation"
    client.post("/logout", data={"csrf_token": auth.csrf("/notifications")})

    auth.login(cast.town)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "齿轮" in inbox and "批量推荐" in inbox
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'value="recommend"' in page and 'value="submit"' not in page
    client.post("/inbox/bulk", data={"csrf_token": auth.csrf("/inbox"), "action": "recommend",
                                     "pick": [f"{application.id}:2"]})
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "pool_review"
    client.post("/logout", data={"csrf_token": auth.csrf("/notifications")})
    auth.login(cast.other_town)
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_attachments_are_checked_and_scoped(client, auth, cast, draft):
    application = draft()
    auth.login(cast.applicant)
    url = f"/applications/{application.id}/attachments"
    fake = client.post(url, data={"csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
                                  "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "report.pdf")},
                       content_type="multipart/form-data")
    assert fake.status_code == 302 and "不符" in client.get(f"/applications/{application.id}").get_data(as_text=True)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for _ in range(2):
        client.post(url, data={"csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
                               "file": (io.BytesIO(pdf), "../../检测报告.pdf")}, content_type="multipart/form-data")
    from workflows.models import Attachment

    rows = db.session.scalars(select(Attachment).order_by(Attachment.version)).all()
    assert [r.version for r in rows] == [1, 2] and rows[0].original_name == "检测报告.pdf"
    assert ".." not in rows[0].stored_name
    got = client.get(f"/attachments/{rows[0].id}")
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    client.post("/logout", data={"csrf_token": auth.csrf("/notifications")})
    auth.login(cast.other_applicant)
    assert client.get(f"/attachments/{rows[0].id}").status_code == 404


def test_notification_settings_refuse_bad_addresses_without_500(client, auth, make_user):
    user = make_user("bureau")
    auth.login(user)
    for email, url in (("not-an-email", ""), ("a@b.cn", "http://[::1"), ("a@b.cn", "ftp://x.cn/hook"),
                       ("a\x00", ""), ("a@b.cn", "http://x.cn/\x01")):  # NUL and \x01 are dropped at the edge
        token = auth.csrf("/notifications")
        page = client.post("/notifications", data={"csrf_token": token, "email_enabled": "y", "email": email,
                                                   "webhook_enabled": "y" if url else "", "webhook_url": url})
        assert page.status_code == 200, (email, url)
    token = auth.csrf("/notifications")
    ok = client.post("/notifications", data={"csrf_token": token, "email_enabled": "y", "email": "Officer@Linhai.cn",
                                             "webhook_enabled": "y", "webhook_url": "http://127.0.0.1:9/hook"})
    assert ok.status_code == 302
