"""Settings: one page of every key the areas read; typed edits; the areas see the new values."""
from __future__ import annotations

import pytest

from registry import settings as reader
from registry.extensions import db
from registry.models import Setting
from registry.services import settings
from registry.settings import UnknownSetting
from tests.admin.conftest import post


def test_every_area_key_is_declared_with_its_default():
    known = settings.known()
    assert known["workflows.correction_days"].default == 15
    assert known["awards.panel.size"].default == 5
    assert known["retention.audit_days"].minimum == 180
    assert known["quality_award.recommend_days"].default == 10  # a stage time limit from the workflow definition
    assert all(spec.label and spec.area for spec in known.values())
    assert {spec.type for spec in known.values()} >= {"int", "bool", "list", "dict", "str"}


def test_page_lists_every_key_with_current_and_default(client, auth, make_user):
    auth.login(make_user("admin"))
    html = client.get("/admin/settings").get_data(as_text=True)
    for key, spec in settings.known().items():
        assert f'id="{key}"' in html and str(spec.label) in html


@pytest.mark.parametrize("key, raw, stored", [
    ("awards.notice.days", "5", 5),
    ("awards.notice.working_days", "y", True),
    ("awards.scoring.spread_threshold_pct", "25", 25),
    ("awards.eligibility.credit_list_types", ["serious_dishonesty", "quality_blacklist"],
     ["serious_dishonesty", "quality_blacklist"]),
    ("awards.scoring.stage_weights", '{"document": 0.5, "presentation": 0, "site": 0.5}',
     {"document": 0.5, "presentation": 0, "site": 0.5}),
    ("awards.panel.leader_rule", "first", "first"),
    ("quality_award.recommend_days", "15", 15),
])
def test_admin_edits_a_setting_and_the_area_reads_it(client, auth, make_user, key, raw, stored):
    auth.login(make_user("admin"))
    assert post(client, auth, f"/admin/settings/{key}", {"value": raw}).status_code == 302
    assert db.session.get(Setting, key).value == stored
    assert reader.get(key) == stored
    assert "已修改" in client.get("/admin/settings").get_data(as_text=True)
    assert post(client, auth, f"/admin/settings/{key}/reset", {}, page=f"/admin/settings/{key}").status_code == 302
    assert db.session.get(Setting, key) is None


def test_unchecked_box_stores_false(client, auth, make_user):
    auth.login(make_user("admin"))
    assert post(client, auth, "/admin/settings/awards.scoring.drop_extremes", {}).status_code == 302
    assert db.session.get(Setting, "awards.scoring.drop_extremes").value is False


@pytest.mark.parametrize("key, raw, message", [
    ("awards.notice.days", "abc", "必须是整数"),
    ("awards.notice.days", "2.5", "必须是整数"),
    ("awards.notice.days", "0", "应在 1 至 60 之间"),
    ("awards.notice.days", "", "请填写数值"),
    ("awards.notice.days", "nan", "必须是"),
    ("awards.scoring.stage_weights", "[1, 2]", "应为 JSON 对象"),
    ("awards.scoring.stage_weights", '{"document": "x", "presentation": 0, "site": 1}', "值为非负数字"),
    ("awards.scoring.stage_weights", "{not json", "应为 JSON 对象"),
    ("awards.eligibility.credit_list_types", ["serious_dishonesty", "nonsense"], "未知的代码"),
    ("awards.eligibility.credit_list_types", [], "至少选择一项"),
    ("awards.panel.leader_rule", "random", "可选值"),
])
def test_bad_types_are_refused_on_the_form(client, auth, make_user, key, raw, message):
    auth.login(make_user("admin"))
    response = post(client, auth, f"/admin/settings/{key}", {"value": raw})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert db.session.get(Setting, key) is None


@pytest.mark.parametrize("key, value", [
    ("awards.notice.working_days", "maybe"), ("awards.notice.days", True), ("awards.notice.days", [7]),
    ("awards.eligibility.rules", [1, 2]), ("awards.eligibility.rules", "credit, nonsense"),
    ("awards.scoring.stage_weights", {"document": 1}), ("awards.scoring.spread_threshold_pct", "inf"),
])
def test_service_refuses_wrong_types(make_user, key, value):
    from registry.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        settings.set(make_user("admin"), key, value)
    assert db.session.get(Setting, key) is None


def test_list_setting_page_offers_labelled_checkboxes(client, auth, make_user):
    auth.login(make_user("admin"))
    html = client.get("/admin/settings/awards.eligibility.credit_list_types").get_data(as_text=True)
    assert html.count('name="value" type="checkbox"') == 3 and "经营异常名录" in html and html.count("checked") == 3


def test_unknown_key_is_404(client, auth, make_user):
    auth.login(make_user("admin"))
    assert client.get("/admin/settings/no.such.key").status_code == 404
    assert post(client, auth, "/admin/settings/no.such.key", {"value": "1"}, page="/admin/settings").status_code == 404


def test_an_undeclared_key_is_a_programming_error_everywhere(app):
    """One rule for a key no area declares: the reader raises, whether reading or writing (no silent default)."""
    with pytest.raises(UnknownSetting):
        reader.get("awards.panel.sise")
    with pytest.raises(UnknownSetting):
        reader.put("workflows.reminder_day", 3)
    assert db.session.get(Setting, "workflows.reminder_day") is None


def test_a_declaration_checks_its_default_and_a_key_is_declared_once(monkeypatch):
    with pytest.raises(TypeError):
        reader.declare("awards.x", int, True, "x")  # a bool is not an int here
    twice = reader.declare("workflows.reminder_days", int, 3, "again")
    from registry.targets import settings as target_settings

    monkeypatch.setattr(target_settings, "SETTINGS", (*target_settings.SETTINGS, twice))
    with pytest.raises(ValueError, match="declared twice"):
        reader.declared()
