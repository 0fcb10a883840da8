"""The 浙江制造 standard stage as it runs (issue 15 item 3): a provincial batch, 立项 → 起草 → 征求意见 → 评审 → 发布
with each step's date; 立项 can be refused, which returns the application."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import Standard
from registry.services.errors import ValidationFailed
from tests.workflows.conftest import own_standard, place
from workflows import engine
from workflows.models import Application

STEPS = [("approved", "2026-01-15"), ("drafting", "2026-02-01"), ("consultation", "2026-04-01"),
         ("review", "2026-06-01"), ("published", "2026-08-01")]


def _step(application_id, user, step, on, batch=None):
    payload = {"standard_step": step, "step_on": on, **({"batch": batch} if batch else {})}
    return engine.apply(application_id, "record_standard_step", user, payload=payload)


def test_each_step_is_recorded_in_order_with_its_date_and_batch(cast, draft):
    standard = own_standard(cast.enterprise, status="approved", published_on=None)
    application = draft()
    application.standard_id = standard.id
    db.session.commit()
    place(application.id, "standard_drafting", "in_progress")
    with pytest.raises(ValidationFailed) as info:  # 立项 names its batch
        _step(application.id, cast.bureau, "approved", "2026-01-15")
    assert "batch" in info.value.errors
    with pytest.raises(ValidationFailed) as info:  # no step skipped
        _step(application.id, cast.bureau, "drafting", "2026-01-15", "2026年第一批")
    assert "standard_step" in info.value.errors
    _step(application.id, cast.bureau, "approved", "2026-01-15", "2026年第一批")
    with pytest.raises(ValidationFailed) as info:  # not before the previous step
        _step(application.id, cast.bureau, "drafting", "2026-01-10")
    assert "step_on" in info.value.errors
    for step, on in STEPS[1:]:
        _step(application.id, cast.bureau, step, on)
        assert db.session.get(Standard, standard.id).status == step  # the registry's standard follows
    data = db.session.get(Application, application.id).data
    assert [(s["step"], s["on"], s["batch"]) for s in data["standard_steps"]] == \
        [(step, on, "2026年第一批") for step, on in STEPS]
    assert str(db.session.get(Standard, standard.id).published_on) == "2026-08-01"
    engine.apply(application.id, "standard_published", None)  # what the beat sweep does: the stage completes
    assert db.session.get(Application, application.id).stage == "body_choice"


def test_a_refused_initiation_returns_the_application(cast, draft):
    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    outcome = engine.apply(application.id, "refuse_initiation", cast.bureau, reason="本批次立项未通过：与已有标准重复",
                           payload={"step_on": "2026-01-15", "batch": "2026年第一批"})
    assert (outcome.stage, outcome.status) == ("standard_drafting", "returned")
    assert db.session.get(Application, application.id).data["standard_refusals"] == [
        {"on": "2026-01-15", "batch": "2026年第一批"}]
    engine.apply(application.id, "resubmit", cast.applicant)
    _step(application.id, cast.bureau, "approved", "2026-07-15", "2026年第二批")
    application = db.session.get(Application, application.id)
    assert "refuse_initiation" not in [a.name for a in engine.allowed_actions(application, cast.bureau)]
    with pytest.raises(ValidationFailed):  # once 立项 is recorded it cannot be refused
        engine.apply(application.id, "refuse_initiation", cast.bureau, reason="x", payload={"step_on": "2026-07-20"})
