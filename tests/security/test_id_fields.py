"""Issue 9 item 3: every id a workflow accepts is one the application may name, for every role.

The walk discovers the id fields from the definitions (every version of every workflow: the fields filled in at
creation and the fields of every action whose kind holds an id, ``workflows.spec.ID_KINDS``), so a new definition
or field is walked without touching this file; a field with no builder of refused ids below fails the walk. Each
role offers each refused id through the API (create and actions) and the web action form: accepted = 0, the roles
the action is for get a 422 naming the field, and nothing changes in the database.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import clock
from registry.extensions import db
from tests.conftest import csrf_token_from
from tests.definitions import TABLE
from tests.factories import EnterpriseFactory, StandardDrafterFactory, StandardFactory
from tests.workflows.conftest import cast, own_standard, place  # noqa: F401  (cast: a fixture)
from workflows import engine
from workflows.models import Application, Transition
from workflows.spec import ID_KINDS

PERSONAS = ("applicant", "other_applicant", "town", "other_town", "bureau", "admin", "expert")
RELATION = {"applicant": "applicant", "town": "town", "bureau": "bureau", "admin": "bureau"}
SAMPLE = {"date": "2026-03-01", "int": "1", "text": "走查", "textarea": "走查"}


def id_fields() -> list[tuple[object, object, object]]:
    """(workflow, action or None for creation, field) for every id field of every definition version."""
    found = []
    for versions in TABLE.registry().values():  # the app's table, as the app factory builds it
        for workflow in versions.values():
            found += [(workflow, None, f) for f in workflow.fields if f.kind in ID_KINDS]
            found += [(workflow, a, f) for stage in workflow.stages for a in stage.actions for f in a.fields
                      if f.kind in ID_KINDS]
    return found


def _others_standard(**fields) -> int:
    standard = StandardFactory(**fields)
    for _ in range(3):
        StandardDrafterFactory(standard=standard, enterprise=EnterpriseFactory())
    return standard.id


def _refused_standards(cast) -> dict[str, int]:
    return {"others' ISO standard": _others_standard(number="ISO 9001:2015", level="international"),
            "others' T/ZZB drafting": _others_standard(status="drafting", published_on=None),
            "own national standard": own_standard(cast.enterprise, number="GB/T 39002-2025", level="national").id,
            "own T/ZZB withdrawn": own_standard(cast.enterprise, status="withdrawn").id,
            "missing": 99999999}


def _refused_rounds(cast) -> dict[str, int]:
    from registry.awards import rounds
    from tests.awards.conftest import self_assessment

    today = clock.today()

    def made(name, opens, closes, status="open"):
        found = rounds.open_round(cast.bureau, name=name, level="linhai", year=today.year, call_opens_on=opens,
                                  call_closes_on=closes, quotas={"quality_award": 2}, issuer="临海市人民政府")
        found.status = status
        db.session.commit()
        return found.id

    entered = made("已申报批次", today - timedelta(days=5), today + timedelta(days=5))
    rounds.add_entry(entered, cast.enterprise.id, self_assessment=self_assessment(), declaration=True, now=clock.now())
    return {"call closed": made("已截止批次", today - timedelta(days=30), today - timedelta(days=1)),
            "call not open yet": made("未开始批次", today + timedelta(days=1), today + timedelta(days=30)),
            "draft round": made("未发布批次", today - timedelta(days=5), today + timedelta(days=5), status="draft"),
            "already entered": entered, "missing": 99999999}


def _refused_bodies(_cast) -> dict[str, int]:
    from registry.models import CertificationBody

    retired = CertificationBody(code="RETIRED-WALK", name="已停用的认证机构", active=False)
    db.session.add(retired)
    db.session.commit()
    return {"retired body": retired.id, "missing": 99999999}


# The ids no application of the cast's enterprise may name, per id field name. A new id field needs a line here.
REFUSED = {"standard_id": _refused_standards, "round_id": _refused_rounds, "certification_body_id": _refused_bodies}


def test_the_walk_finds_the_known_id_fields():
    names = {(w.name, a.name if a else "create", f.name) for w, a, f in id_fields()}
    assert {("pinzibiao", "create", "standard_id"), ("pinzibiao", "link_standard", "standard_id"),
            ("quality_award", "create", "round_id")} <= names
    assert {f.name for _w, _a, f in id_fields()} <= set(REFUSED), "a new id field: add its refused ids to REFUSED"


def _state(application_id: int):
    db.session.expire_all()
    row = db.session.get(Application, application_id)
    transitions = db.session.scalar(select(func.count(Transition.id)).where(Transition.application_id == application_id))
    return row.stage, row.status, row.version, row.standard_id, dict(row.data or {}), transitions


@pytest.mark.parametrize("workflow,action,field", id_fields(),
                         ids=lambda v: getattr(v, "name", None) or f"v{getattr(v, 'version', '')}")
def test_every_role_offering_a_refused_id_is_refused(client, api, auth, cast, workflow, action, field):
    refused = REFUSED[field.name](cast)
    db.session.commit()
    headers = {p: api(getattr(cast, p)) for p in PERSONAS}
    tried = accepted = 0
    if action is None:
        before = db.session.scalar(select(func.count(Application.id)))
        for persona in PERSONAS:
            for why, bad in refused.items():
                fields = {f.name: SAMPLE.get(f.kind, "1") for f in workflow.fields} | {"product": "走查产品", field.name: bad}
                response = client.post("/api/v1/applications", headers=headers[persona], json={
                    "workflow": workflow.name, "enterprise_id": cast.enterprise.id, "fields": fields})
                tried += 1
                accepted += response.status_code < 300
                if persona in ("applicant", "bureau", "admin"):  # those who create for the cast's enterprise
                    assert response.status_code == 422, (persona, why, response.get_json())
                    assert field.name in response.get_json()["errors"], (persona, why)
        assert db.session.scalar(select(func.count(Application.id))) == before
    else:
        stage = next(s for s in workflow.stages if action in s.actions)
        application = engine.start(workflow.name, cast.enterprise.id, cast.applicant, title="走查", data={})
        db.session.commit()
        place(application.id, stage.name, sorted(action.from_statuses)[0])
        for persona in PERSONAS:
            user = getattr(cast, persona)
            for why, bad in refused.items():
                before = _state(application.id)
                payload = {f.name: SAMPLE.get(f.kind, "1") for f in action.fields} | {field.name: bad}
                response = client.post(f"/api/v1/applications/{application.id}/actions", headers=headers[persona],
                                       json={"action": action.name, "version": before[2], "reason": "走查",
                                             "payload": payload})
                tried += 1
                accepted += response.status_code < 300
                if RELATION.get(persona) in action.roles:
                    assert response.status_code == 422, (persona, why, response.get_json())
                    assert field.name in response.get_json()["errors"], (persona, why)
                assert _state(application.id) == before, (persona, why)
                if workflow.page_endpoint == "workflows.show":  # the web action form of the page
                    auth.login(user)
                    page = client.get(f"/applications/{application.id}")
                    token = csrf_token_from(page.get_data(as_text=True)) if page.status_code == 200 else ""
                    form = {"csrf_token": token, "action": action.name, "version": str(before[2]), "reason": "走查",
                            **{f"f_{k}": str(v) for k, v in payload.items()}}
                    client.post(f"/applications/{application.id}/act", data=form)
                    tried += 1
                    after = _state(application.id)
                    accepted += after != before
                    assert after == before, ("web", persona, why)
                    auth.logout()
    print(f"\n{workflow.name} v{workflow.version} {action.name if action else 'create'}.{field.name}: "
          f"{tried} offers of {len(refused)} refused ids by {len(PERSONAS)} roles, accepted {accepted}")
    assert accepted == 0
