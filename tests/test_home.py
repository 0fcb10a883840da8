"""The home page: each person's waiting work, overdue items and unread messages first."""
from __future__ import annotations

import re

from tests.factories import EnterpriseFactory


def _number_before(html: str, words: str) -> int:
    match = re.search(r'<span class="big">(\d+)</span>' + words, html)
    assert match, words
    return int(match.group(1))


def test_town_reviewer_sees_waiting_applications(client, auth, make_user):
    from workflows.services import applications

    applicant = make_user("enterprise")
    town = make_user("town", jurisdiction=applicant.enterprise.jurisdiction)
    app = applications.start(applicant, "pinzibiao", None, {"product": "齿轮", "standard_proposal": "汽车齿轮", "self_assessment": "良好"})
    applications.act(applicant, app.id, "submit")
    auth.login(town)
    html = client.get("/").get_data(as_text=True)
    assert _number_before(html, "项待办") == 1
    assert _number_before(html, "条未读消息") >= 1


def test_enterprise_home_shows_its_applications_and_record(client, auth, make_user):
    applicant = make_user("enterprise")
    EnterpriseFactory()
    auth.login(applicant)
    html = client.get("/").get_data(as_text=True)
    assert _number_before(html, "项申请") == 0
    assert f"/enterprises/{applicant.enterprise_id}" in html
