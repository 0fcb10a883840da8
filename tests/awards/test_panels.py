"""Recorded draws in the database: replay, redraw with a reason, conflict declaration promotes a substitute."""
from __future__ import annotations

import pytest

from registry.awards import panels
from registry.awards.draw import replay
from registry.awards.models import PanelDraw
from registry.extensions import db
from registry.services.errors import NotFound, ValidationFailed
from tests.awards.conftest import NOW
from tests.factories import EnterpriseFactory


def seated_users(entry_id):
    return [m.expert.user_id for m in panels.members(entry_id, seated_only=True)]


def test_draw_excludes_registry_conflicts_and_replays_from_its_record(make_entry, make_experts, bureau):
    applicant = EnterpriseFactory(name="浙江华海药业股份有限公司", group_name="华海集团", legal_representative="陈保华")
    sister = EnterpriseFactory(name="华海（临海）制剂有限公司", group_name="华海集团", legal_representative="某甲")
    same_rep = EnterpriseFactory(name="某某科技有限公司", legal_representative="陈保华")
    ties = {0: [{"kind": "employer", "enterprise_id": applicant.id}],
            1: [{"kind": "former_employer", "enterprise_id": sister.id}],
            2: [{"kind": "employer", "enterprise_id": same_rep.id}],
            3: [{"kind": "consultant", "org_name": "浙江华海药业股份有限公司"}],
            4: [{"kind": "declared", "group_name": "华海集团", "note": "亲属在该集团任职"}]}
    experts = make_experts(16, ties)
    entry = make_entry(applicant)
    [row] = panels.draw_panels(bureau, [entry.id], NOW, seed="fixed-seed")
    excluded = {x["expert_id"]: [r["code"] for r in x["reasons"]] for x in row.inputs["exclusions"]}
    assert excluded[experts[0].id] == ["employer", "same_group", "shared_legal_rep"]  # every rule it meets
    excluded[experts[0].id] = ["employer"]
    assert excluded == {experts[0].id: ["employer"], experts[1].id: ["same_group"],
                        experts[2].id: ["shared_legal_rep"], experts[3].id: ["consultant"],
                        experts[4].id: ["same_group"]}
    seated = set(row.result["panel"] + row.result["substitutes"])
    assert not seated & set(excluded) and len(row.result["panel"]) == 5 and len(row.result["substitutes"]) == 3
    assert panels.verify(row.id)
    stored = db.session.get(PanelDraw, row.id)
    assert replay(stored.seed, stored.inputs) == stored.result
    stored.result = {**stored.result, "panel": list(reversed(stored.result["panel"]))}
    db.session.commit()
    assert not panels.verify(row.id)  # a tampered record no longer replays


def test_redraw_needs_a_reason_and_is_recorded(make_entry, make_experts, bureau):
    make_experts(12)
    entry = make_entry()
    first = panels.draw_panels(bureau, [entry.id], NOW)[0]
    with pytest.raises(ValidationFailed) as err:
        panels.draw_panels(bureau, [entry.id], NOW)
    assert "reason" in err.value.errors
    second = panels.draw_panels(bureau, [entry.id], NOW, reason="组长临时出差")[0]
    db.session.refresh(first)
    assert first.superseded_at is not None and second.reason == "组长临时出差"
    assert panels.current_draw(entry.id).id == second.id
    assert {m.draw_id for m in panels.members(entry.id)} == {second.id}


def test_declared_conflict_promotes_first_substitute(make_entry, make_experts, bureau):
    experts = make_experts(12)
    by_id = {e.id: e for e in experts}
    entry = make_entry()
    row = panels.draw_panels(bureau, [entry.id], NOW)[0]
    leader_user = db.session.get(type(bureau), by_id[row.result["leader"]].user_id)
    first_sub = row.result["substitutes"][0]
    assert not panels.may_see_material(leader_user, entry.id)
    promoted = panels.declare(entry.id, leader_user, conflict=True, reason="曾为该企业提供咨询", now=NOW)
    assert promoted.expert_id == first_sub and promoted.role == "leader" and promoted.active
    assert by_id[first_sub].user_id in seated_users(entry.id)
    assert leader_user.id not in seated_users(entry.id)
    with pytest.raises(NotFound):
        panels.declare(entry.id, leader_user, conflict=False, reason=None, now=NOW)
    new_leader = db.session.get(type(bureau), by_id[first_sub].user_id)
    panels.declare(entry.id, new_leader, conflict=False, reason=None, now=NOW)
    assert panels.may_see_material(new_leader, entry.id)
    # The declared conflict is an exclusion in any redraw.
    again = panels.draw_panels(bureau, [entry.id], NOW, reason="测试重抽")[0]
    codes = {x["expert_id"]: x["reasons"][0]["code"] for x in again.inputs["exclusions"]}
    assert codes[row.result["leader"]] == "declared"


def test_workflow_assignment_follows_declaration_and_redraw(make_entry, make_experts, bureau):
    """The engine's ``expert`` relation (an active Assignment) exists only for seated experts who declared no
    conflict, and a redraw takes it away from the superseded panel."""
    from workflows.models import Application, Assignment

    make_experts(14)
    entry = make_entry()
    application = Application(workflow="quality_award", definition_version=1, enterprise_id=entry.enterprise_id,
                              title="t", stage="document_review", status="in_progress", version=1,
                              data={"round_id": entry.round_id})
    db.session.add(application)
    db.session.flush()
    entry.application_id = application.id
    db.session.commit()
    panels.draw_panels(bureau, [entry.id], NOW)
    first = panels.members(entry.id, seated_only=True)[0]
    user = db.session.get(type(bureau), first.expert.user_id)

    def active():
        db.session.commit()
        return {a.user_id for a in db.session.query(Assignment).filter_by(application_id=application.id, active=True)}

    assert active() == set()
    panels.declare(entry.id, user, conflict=False, reason=None, now=NOW)
    assert active() == {user.id}
    panels.draw_panels(bureau, [entry.id], NOW, reason="专家组长生病")
    assert user.id not in active()


def test_seated_experts_are_told_and_nobody_else(make_entry, make_experts, bureau):
    """Each seated expert gets one message (also the substitute promoted after a conflict); substitutes waiting,
    the applicant and the bureau get none; the message names neither the other panel members nor the draw."""
    from sqlalchemy import select

    from workflows.models import Notification

    experts = make_experts(12)
    by_id = {e.id: e for e in experts}
    entry = make_entry()
    row = panels.draw_panels(bureau, [entry.id], NOW)[0]
    seated = [row.result["leader"], *[x for x in row.result["panel"] if x != row.result["leader"]]]

    def told() -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for note in db.session.scalars(select(Notification).where(Notification.kind == "assignment")):
            out.setdefault(note.user_id, []).append(note.title + note.body)
        return out

    messages = told()
    assert set(messages) == {by_id[x].user_id for x in seated}
    assert all(len(m) == 1 and entry.enterprise.name in m[0] and "利益冲突" in m[0] for m in messages.values())
    assert not any(by_id[x].name in text for x in seated for m in messages.values() for text in m)
    leader_user = db.session.get(type(bureau), by_id[row.result["leader"]].user_id)
    promoted = panels.declare(entry.id, leader_user, conflict=True, reason="曾任该企业顾问", now=NOW)
    messages = told()
    assert messages[by_id[promoted.expert_id].user_id][0].count("组长") == 1
    assert len(messages) == len(seated) + 1
