"""Issue 12 item 12: settings are validated against each other (a panel size below the minimum was accepted)."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import Setting
from registry import settings as reader
from registry.services import settings
from registry.services.errors import ValidationFailed
from tests.admin.conftest import post


def test_panel_size_below_the_minimum_is_refused_on_the_form(client, auth, make_user):
    auth.login(make_user("admin"))
    response = post(client, auth, "/admin/settings/awards.panel.size", {"value": "3"})  # minimum is 5
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "专家组最少人数（5）不能多于专家组人数（3）" in html
    assert db.session.get(Setting, "awards.panel.size") is None


def test_minimum_above_the_panel_size_is_refused_and_a_consistent_pair_is_accepted(make_user):
    admin = make_user("admin")
    with pytest.raises(ValidationFailed) as refused:
        settings.set(admin, "awards.panel.min_size", 7)  # size is 5
    assert "专家组人数（5）" in refused.value.errors["value"][0]
    settings.set(admin, "awards.panel.size", 9)
    settings.set(admin, "awards.panel.min_size", 7)
    assert reader.get("awards.panel.min_size") == 7
    with pytest.raises(ValidationFailed):  # back to the default size 5 would leave a minimum of 7
        settings.reset(admin, "awards.panel.size")
    assert reader.get("awards.panel.size") == 9


@pytest.mark.parametrize("key, value, message", [
    ("awards.scoring.min_scores_to_trim", 6, "去极值所需最少评分数（6）不能多于专家组人数（5）"),
    ("pinzibiao.expiry_notice_days", 730, "不能长于证书有效期（1 年）"),
    ("awards.scoring.stage_weights", {"document": 0, "presentation": 0, "site": 0}, "至少有一项大于 0"),
])
def test_other_related_settings(make_user, key, value, message):
    admin = make_user("admin")
    if key.startswith("pinzibiao"):
        settings.set(admin, "pinzibiao.validity_years", 1)
    with pytest.raises(ValidationFailed) as refused:
        settings.set(admin, key, value)
    assert message in refused.value.errors["value"][0]


def test_reset_refused_on_the_page_says_why(client, auth, make_user):
    admin = make_user("admin")
    settings.set(admin, "awards.panel.size", 9)
    settings.set(admin, "awards.panel.min_size", 7)
    auth.login(admin)
    response = post(client, auth, "/admin/settings/awards.panel.size/reset", {}, page="/admin/settings/awards.panel.size")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "专家组最少人数（7）不能多于专家组人数（5）" in page
