"""Issue 9 item 3: the standard a 品字标 application names. Only a 浙江制造 (T/ZZB) standard that is not withdrawn;
one the applicant's enterprise drafted links directly and, once published, the automatic step passes standard
drafting; one others drafted must be published and lets the application past drafting only after the bureau's
确认标准 (recorded in the history). Checked at creation (service, API, web form), on the draft and on 关联标准."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from registry.extensions import db
from registry.services.errors import Forbidden, ValidationFailed
from tests.conftest import csrf_token_from
from tests.factories import EnterpriseFactory, StandardDrafterFactory, StandardFactory
from tests.workflows.conftest import own_standard, place
from workflows import engine
from workflows.models import Application
from workflows.services import applications, sweeps


def _others(**fields):
    """A standard drafted by three other enterprises (the attack of the issue: an ISO standard, here any kind)."""
    standard = StandardFactory(**fields)
    for _ in range(3):
        StandardDrafterFactory(standard=standard, enterprise=EnterpriseFactory())
    db.session.commit()
    return standard


def _refused(cast):
    """Standards no application of the cast's enterprise may name, by why."""
    return {
        "others' ISO standard": _others(number="ISO 9001:2015", level="international", title="质量管理体系"),
        "own national standard": own_standard(cast.enterprise, number="GB/T 39001-2025", level="national"),
        "others' T/ZZB still drafting": _others(status="drafting", published_on=None),
        "own T/ZZB withdrawn": own_standard(cast.enterprise, status="withdrawn"),
    }


def _sweep() -> int:
    return sweeps.apply_automatic(datetime.now(timezone.utc))


def test_refused_standards_at_creation_on_the_draft_and_on_link(cast, draft, client, api):
    refused = _refused(cast)
    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    version = db.session.get(Application, application.id).version
    for why, standard in {**refused, "missing": type("S", (), {"id": 99999999})}.items():
        fields = {"product": "齿轮", "self_assessment": "自评", "standard_id": standard.id}
        with pytest.raises(ValidationFailed) as at_start:
            applications.start(cast.applicant, "pinzibiao", None, fields)
        assert "standard_id" in at_start.value.errors, why
        by_bureau = client.post("/api/v1/applications", json={"workflow": "pinzibiao", "enterprise_id": cast.enterprise.id,
                                                              "fields": fields}, headers=api(cast.bureau))
        assert by_bureau.status_code == 422 and "standard_id" in by_bureau.get_json()["errors"], why
        for who in (cast.applicant, cast.bureau):
            with pytest.raises(ValidationFailed) as at_link:
                engine.apply(application.id, "link_standard", who, payload={"standard_id": standard.id})
            assert list(at_link.value.errors) == ["standard_id"], why
        linked = client.post(f"/api/v1/applications/{application.id}/actions", headers=api(cast.applicant),
                             json={"action": "link_standard", "version": version, "payload": {"standard_id": standard.id}})
        assert linked.status_code == 422 and "standard_id" in linked.get_json()["errors"], why
    db.session.expire_all()
    assert db.session.get(Application, application.id).standard_id is None
    assert db.session.query(Application).count() == 1
    kept = draft()
    for why, standard in refused.items():
        with pytest.raises(ValidationFailed) as on_draft:
            applications.save_draft(cast.applicant, kept.id, kept.version, {"product": "齿轮", "standard_id": standard.id})
        assert "standard_id" in on_draft.value.errors, why


def test_the_web_form_refuses_a_standard_it_did_not_offer(cast, client, auth):
    stranger = _others(status="drafting", published_on=None)
    auth.login(cast.applicant)
    page = client.get("/applications/new").get_data(as_text=True)
    assert f'value="{stranger.id}"' not in page
    response = client.post("/applications/new", data={
        "csrf_token": csrf_token_from(page), "product": "齿轮", "standard_id": str(stranger.id),
        "self_assessment": "自评"})
    assert response.status_code == 200 and "他人起草的标准须已发布" in response.get_data(as_text=True)
    assert db.session.query(Application).count() == 0


def test_an_own_standard_links_and_the_automatic_step_passes_drafting_once_published(cast, draft):
    standard = own_standard(cast.enterprise, status="drafting", published_on=None)
    application = draft(standard_id=standard.id)
    assert application.standard_id == standard.id
    for who, action in ((cast.applicant, "submit"), (cast.town, "recommend"), (cast.bureau, "accept")):
        engine.apply(application.id, action, who)
    assert _sweep() == 0
    db.session.get(type(standard), standard.id).status = "published"
    db.session.commit()
    assert _sweep() == 1
    assert db.session.get(Application, application.id).stage == "body_choice"  # the next stage: the applicant applies to a certification body


def test_a_standard_others_drafted_is_a_route_but_only_the_bureaus_confirmation_passes_drafting(cast, draft):
    theirs, another = _others(), _others()
    application = draft(standard_id=theirs.id)  # certification against an existing standard: accepted
    for who, action in ((cast.applicant, "submit"), (cast.town, "recommend"), (cast.bureau, "accept")):
        engine.apply(application.id, action, who)
    assert _sweep() == 0  # published, but not the applicant's: drafting is not skipped by itself
    with pytest.raises(ValidationFailed, match="须经市局确认"):
        engine.apply(application.id, "standard_published", cast.bureau)
    with pytest.raises(Forbidden):
        engine.apply(application.id, "confirm_standard", cast.applicant, reason="覆盖本产品")
    with pytest.raises(ValidationFailed):
        engine.apply(application.id, "confirm_standard", cast.bureau)  # the bureau says why
    engine.apply(application.id, "link_standard", cast.applicant, payload={"standard_id": another.id})
    engine.apply(application.id, "confirm_standard", cast.bureau, reason="经核查，该标准覆盖申请产品。")
    with pytest.raises(ValidationFailed, match="已确认"):
        engine.apply(application.id, "confirm_standard", cast.bureau, reason="再次确认")
    engine.apply(application.id, "link_standard", cast.applicant, payload={"standard_id": theirs.id})
    assert _sweep() == 0  # the confirmation was of the other standard
    engine.apply(application.id, "confirm_standard", cast.bureau, reason="经核查，该标准覆盖申请产品。")
    assert _sweep() == 1
    steps = [(t.action, t.reason) for t in applications.history(application.id)]
    assert steps[-2:] == [("confirm_standard", "经核查，该标准覆盖申请产品。"), ("standard_published", None)]
    assert db.session.get(Application, application.id).stage == "body_choice"  # the next stage: the applicant applies to a certification body


def test_an_own_standard_needs_no_confirmation(cast, draft):
    application = draft(standard_id=own_standard(cast.enterprise).id)
    place(application.id, "standard_drafting", "in_progress")
    with pytest.raises(ValidationFailed, match="无需确认"):
        engine.apply(application.id, "confirm_standard", cast.bureau, reason="确认")


def test_after_acceptance_the_draft_cannot_change_the_standard(cast, draft):
    mine, theirs = own_standard(cast.enterprise), _others()
    application = draft(standard_id=mine.id)
    place(application.id, "cert_acceptance", "returned")
    application = db.session.get(Application, application.id)
    with pytest.raises(ValidationFailed) as refused:
        applications.save_draft(cast.applicant, application.id, application.version,
                                {"product": "齿轮", "self_assessment": "自评", "standard_id": theirs.id})
    assert "关联标准" in refused.value.errors["standard_id"][0]
    saved = applications.save_draft(cast.applicant, application.id, application.version,
                                    {"product": "齿轮二代", "self_assessment": "自评", "standard_id": mine.id})
    assert (saved.title, saved.standard_id) == ("齿轮二代", mine.id)
