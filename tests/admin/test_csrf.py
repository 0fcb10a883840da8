"""Every POST route of the administrator pages refuses a request without a CSRF token (and changes nothing)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import ApiToken, Setting, User


@pytest.mark.usefixtures("restore_catalogues")
def test_every_admin_post_needs_a_csrf_token(app, client, auth, make_user):
    target = make_user("expert")
    auth.login(make_user("admin"))
    posts = {str(rule): rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("admin.") and "POST" in rule.methods}
    values = {"user_id": target.id, "name": "industries", "entry_id": 1, "key": "awards.notice.days", "override_id": 1,
              "outbox_id": 1}
    covered = 0
    for rule in posts.values():
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for token in (None, "forged-token"):
            data = {"active": "0", "new_password": "long-enough-pass", "value": "5", "email": "x@example.cn",
                    "role": "expert", "password": "long-enough-pass", "code": "zz", "name": "zz"}
            if token:
                data["csrf_token"] = token
            assert client.post(path, data=data).status_code == 400, path
        covered += 1
    assert covered == len(posts) >= 9
    db.session.refresh(target)
    assert target.is_active_account
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    assert db.session.scalar(select(func.count(Setting.key))) == 0
    assert db.session.scalar(select(func.count(User.id))) == 2
