"""The development mail sink: with MAIL_SINK on, an e-mail is an .eml file under INSTANCE_DIR/mail (one per outbox
effect, a retry rewrites it) and the admin's 开发邮箱 page lists and shows it; off (testing, production) the page is
404 and mail goes to SMTP. Production cannot switch it on from the environment."""
from __future__ import annotations

import os

from registry.extensions import db
from workflows import delivery
from workflows.models import Notification


def _note(user, key: str, title: str) -> Notification:
    note = Notification(effect_key=key, user_id=user.id, kind="reminder", title=title, body="请在 3 个工作日内处理。")
    db.session.add(note)
    db.session.commit()
    return note


def test_mail_sink_keeps_letters_as_eml_files_and_shows_them(app, client, auth, make_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SINK", True)
    monkeypatch.setitem(app.config, "INSTANCE_DIR", str(tmp_path))
    town = make_user("town", email="wang@linhai.example")
    note = _note(town, "t:1:reminder", "提醒：审核期限还剩 2 个工作日")
    delivery.send(note.id, "email")
    delivery.send(note.id, "email")  # the outbox retried: still one letter
    files = os.listdir(tmp_path / "mail")
    assert len(files) == 1 and files[0].endswith(".eml")
    raw = (tmp_path / "mail" / files[0]).read_bytes()
    assert b"wang@linhai.example" in raw and b"Subject:" in raw

    auth.login(make_user("admin"))
    listing = client.get("/admin/mail").get_data(as_text=True)
    assert "提醒：审核期限还剩 2 个工作日" in listing and "wang@linhai.example" in listing
    assert "开发邮箱" in client.get("/admin/users").get_data(as_text=True)  # the tab
    shown = client.get(f"/admin/mail/{files[0]}").get_data(as_text=True)
    assert "请在 3 个工作日内处理。" in shown
    assert client.get("/admin/mail/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/admin/mail/20260101T000000-000000000000.eml").status_code == 404


def test_without_the_sink_there_is_no_mail_page(app, client, auth, make_user):
    assert app.config["MAIL_SINK"] is False
    auth.login(make_user("admin"))
    assert client.get("/admin/mail").status_code == 404
    assert "开发邮箱" not in client.get("/admin/users").get_data(as_text=True)


def test_production_cannot_turn_the_sink_on(monkeypatch):
    from config import load_config

    monkeypatch.setenv("MAIL_SINK", "1")
    monkeypatch.setenv("REGISTRY_ENV", "development")
    assert load_config()["MAIL_SINK"] is True
    monkeypatch.setenv("REGISTRY_ENV", "production")
    assert load_config()["MAIL_SINK"] is False
