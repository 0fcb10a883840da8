"""Issue 12 item 3: enterprise master data is validated like records are (e-mail, phone, dates not in the future),
with the message beside the field; the rule is the service's, so the API and the Excel import obey it too."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from registry import clock
from registry.contact import normalise_phone
from registry.extensions import db
from registry.models import Enterprise
from tests.api.payloads import enterprise_body
from tests.enterprises.helpers import submit
from tests.excel.conftest import ENTERPRISE_HEADERS, Importer, enterprise_row, xlsx  # noqa: F401
from tests.factories import EnterpriseFactory, make_uscc


@pytest.mark.parametrize("raw, stored", [
    ("13805761234", "13805761234"), ("138 0576 1234", "13805761234"), ("+86 138-0576-1234", "13805761234"),
    ("0576-85123456", "0576-85123456"), ("057685123456", "0576-85123456"), ("（0576）85123456", "0576-85123456"),
    ("010 62345678", "010-62345678"), ("0576-85123456转801", "0576-85123456-801"), ("１３８０５７６１２３４", "13805761234"),
])
def test_phone_numbers_people_type_are_kept_in_one_shape(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", ["0576-1", "12345", "1380576123", "85123456", "0576-0123456", "电话号码"])
def test_a_number_without_area_code_or_too_short_is_refused(raw):
    with pytest.raises(ValueError, match="带区号的固定电话"):
        normalise_phone(raw)


def _field_error(html: str, name: str) -> str:
    """The error text shown in the same field block as input ``name``."""
    block = re.search(rf'<div class="field[^"]*has-error[^"]*">(?:(?!<div class="field).)*?name="{name}"(.*?)</div>\s*</div>',
                      html, re.S)
    assert block, f"no error beside {name}"
    return block.group(0)


def test_the_enterprise_user_sees_each_message_beside_its_field(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    firm = db.session.get(Enterprise, user.enterprise_id)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = submit(client, f"/enterprises/{firm.id}/edit", {
        "contact_phone": "0576-1", "contact_email": "chen at example", "established_on": tomorrow,
        "version": str(firm.version)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "带区号的固定电话" in _field_error(html, "contact_phone")
    assert "不是有效的电子邮箱" in _field_error(html, "contact_email")
    assert "不能晚于今天" in _field_error(html, "established_on")
    assert 'value="0576-1"' in html  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).contact_phone != "0576-1"


def test_a_valid_entry_is_stored_normalised(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    firm = db.session.get(Enterprise, user.enterprise_id)
    response = submit(client, f"/enterprises/{firm.id}/edit", {
        "contact_phone": "0576 8512 3456", "contact_email": "Chen@Example.CN", "established_on": "2015-06-01",
        "version": str(firm.version)})
    assert response.status_code == 302
    db.session.expire_all()
    firm = db.session.get(Enterprise, firm.id)
    assert (firm.contact_phone, firm.contact_email) == ("0576-85123456", "Chen@example.cn")


def test_the_api_obeys_the_same_rules(client, make_user, api):
    headers = api(make_user("bureau"))
    body = enterprise_body(n=7, contact_phone="12345", contact_email="x@",
                           established_on=(clock.today() + dt.timedelta(days=30)).isoformat())
    response = client.post("/api/v1/enterprises", json=body, headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) >= {"contact_phone", "contact_email", "established_on"}


def test_the_import_obeys_the_same_rules(client, auth, make_user):
    auth.login(make_user("bureau"))
    importer = Importer(client, auth)
    data = xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(5151), 联系电话="0576-1")])
    job_id = importer.job_id(importer.upload("enterprises", data))
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "带区号的固定电话" in page


def test_existing_records_with_old_numbers_still_open(client, auth, make_user):
    """A record saved before the rule keeps showing; only a changed value is checked on PATCH."""
    firm = EnterpriseFactory(contact_phone="0576-1")
    auth.login(make_user("bureau"))
    assert client.get(f"/enterprises/{firm.id}").status_code == 200
