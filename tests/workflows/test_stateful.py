"""Random actors taking random actions on random applications (Hypothesis stateful): the invariants always hold.

Invariants: every application is at a stage of its definition with a status that stage allows; its version equals
its number of history rows; the last history row names its current (stage, status); it has at most one open stage
run (none once closed or final); an action succeeded only for someone whose relation the definition allows; and
the HMAC history chain verifies.
"""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from registry.extensions import db
from registry.services.errors import DomainError
from tests.factories import EnterpriseFactory, StandardFactory, UserFactory, jurisdiction
from workflows import actors, chain, definitions, engine
from workflows.models import Application, StageRun, Transition
from workflows.services import applications

WORKFLOW = definitions.get("pinzibiao", 1)
ACTIONS = sorted({a.name for s in WORKFLOW.stages for a in s.actions})
PERSONAS = ("applicant", "other_applicant", "town", "bureau", "expert", "system")
_SERIAL = itertools.count(1)
# Which statuses each stage may hold (from the definition's actions).
LEGAL = {s.name: {"in_progress", "returned", "rejected", "withdrawn"} for s in WORKFLOW.stages}
LEGAL["apply"] = {"draft", "withdrawn"}
LEGAL["certified"] = {"done", "suspended", "revoked"}


class WorkflowMachine(RuleBasedStateMachine):
    @initialize()
    def cast(self):
        enterprise = EnterpriseFactory(jurisdiction=jurisdiction())
        self.users = {
            "applicant": UserFactory(role="enterprise", enterprise=enterprise),
            "other_applicant": UserFactory(role="enterprise"),
            "town": UserFactory(role="town", jurisdiction=jurisdiction()),
            "bureau": UserFactory(role="bureau"),
            "expert": UserFactory(role="expert"),
            "system": None,
        }
        self.standard_id = StandardFactory(status="published").id
        self.ids: list[int] = []
        self.violations: list[str] = []

    @rule(product=st.sampled_from(["齿轮", "阀门", "模具"]))
    def start(self, product):
        created = applications.start(self.users["applicant"], "pinzibiao", None,
                                     {"product": product, "standard_proposal": "标准", "self_assessment": "自评"})
        self.ids.append(created.id)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), persona=st.sampled_from(PERSONAS), action=st.sampled_from(ACTIONS),
          with_reason=st.booleans(), stale=st.booleans())
    def act(self, data, persona, action, with_reason, stale):
        application_id = data.draw(st.sampled_from(self.ids))
        user = self.users[persona]
        application = db.session.get(Application, application_id, populate_existing=True)
        relations = actors.relations(user, application)
        stage_before = application.stage
        version = application.version - 1 if stale else application.version
        payload = {"standard_id": self.standard_id, "cert_number": f"S-{next(_SERIAL)}", "issuer": "认证机构",
                   "issued_on": "2026-01-05", "surveyed_on": "2026-06-01"}
        try:
            engine.apply(application_id, action, user, reason="理由" if with_reason else None, version=version,
                         payload=payload)
        except DomainError:
            return
        allowed = WORKFLOW.stage(stage_before).action(action)
        if stale or allowed is None or not (relations & allowed.roles):
            self.violations.append(f"{persona} did {action} at {stage_before} on {application_id} (stale={stale})")

    @invariant()
    def applications_are_legal(self):
        if not getattr(self, "ids", None):
            return
        db.session.rollback()
        assert self.violations == []
        for application in db.session.scalars(select(Application).where(Application.id.in_(self.ids))):
            assert application.status in LEGAL[application.stage], (application.stage, application.status)
            rows = db.session.scalars(select(Transition).where(Transition.application_id == application.id)
                                      .order_by(Transition.seq)).all()
            assert application.version == len(rows)
            assert (rows[-1].to_stage, rows[-1].to_status) == (application.stage, application.status)
            open_runs = db.session.scalar(select(func.count(StageRun.id)).where(
                StageRun.application_id == application.id, StageRun.ended_at.is_(None)))
            closed = application.status in ("rejected", "withdrawn") or application.stage == "certified"
            assert open_runs == (0 if closed else 1), (application.stage, application.status, open_runs)

    def teardown(self):
        if getattr(self, "ids", None):
            db.session.rollback()
            assert chain.verify() == []


WorkflowMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=40, deadline=None,
                                             phases=[Phase.explicit, Phase.reuse, Phase.generate],
                                             suppress_health_check=list(HealthCheck))
TestWorkflowMachine = WorkflowMachine.TestCase
