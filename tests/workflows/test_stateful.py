"""Random actors taking random actions on applications of both workflows (Hypothesis stateful): the invariants
always hold, and the machine reaches every stage of both workflows.

Two kinds of step: ``act`` (any persona, any action, fresh or stale version: mostly refused, and a success by
someone the definition does not allow is a violation) and ``progress`` (an action the current stage offers, by a
persona the definition allows: it must succeed, or be refused for a reason the definition gives: a guard still
waiting on its domain fact; any other refusal is a violation, so refusals are counted, never silently dropped).
The award's guards read facts of the award domain (eligibility decided, expert scores settled, the committee's
list, the notice, the honour); a ``progress`` step first records, as that domain would, the fact the current
stage waits for, or on a coin's toss leaves it missing (the guard must then refuse).

Invariants: every application is at a stage of its definition with a status that stage allows; its version equals
its number of history rows; the last history row names its current (stage, status); it has at most one open stage
run (none once closed or final); and the HMAC history chain verifies. Figure: stages visited per workflow, all of
them asserted; ``STATEFUL_EXAMPLES`` / ``STATEFUL_STEPS`` (``make soak``: 250 x 40 = 10,000 steps).
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import Counter

from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test
from sqlalchemy import func, select, update

from registry import clock, policy
from registry.awards import flow, rounds
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.models import CertificationBody
from registry.services.errors import DomainError, ValidationFailed
from tests.factories import EnterpriseFactory, HonourFactory, UserFactory, jurisdiction
from tests.definitions import TABLE
from tests.workflows.conftest import own_standard
from workflows import chain, engine
from workflows.models import Application, Attachment, StageRun, Transition
from workflows.services import applications

WORKFLOWS = {name: TABLE.get(name) for name in ("pinzibiao", "quality_award")}  # what start() uses
ACTIONS = sorted({a.name for w in WORKFLOWS.values() for s in w.stages for a in s.actions})
PERSONAS = ("applicant", "other_applicant", "town", "bureau", "expert", "system")
EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "8"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "150"))  # the workflows grew (bodies, shortlist, approval): 40 no longer reached the end
_SERIAL = itertools.count(1)
# Which statuses each stage may hold (from the definitions' actions).
LEGAL = {(w, s.name): {"in_progress", "returned", "rejected", "withdrawn"} for w, d in WORKFLOWS.items()
         for s in d.stages}
for _name in WORKFLOWS:
    LEGAL[(_name, "apply")] = {"draft", "withdrawn"}
LEGAL[("pinzibiao", "certified")] = {"done", "suspended", "revoked"}
for _name, _definition in WORKFLOWS.items():  # a status an action sets where it leaves the application
    for _stage in _definition.stages:
        for _action in _stage.actions:
            if _action.status and _action.target in (None, _stage.name):
                LEGAL[(_name, _stage.name)].add(_action.status)
LEGAL[("quality_award", "approved")] = {"done", "revoked"}

VISITED: dict[str, set[str]] = {name: set() for name in WORKFLOWS}
REFUSALS: Counter = Counter()  # (kind, reason) of every refused step


def _forward_first(stage) -> list:
    """The stage's actions, the one moving forward first (then staying, then ending: reject, withdraw)."""
    return sorted(stage.actions, key=lambda a: (a.target is None, a.status is not None, a.name))


class WorkflowMachine(RuleBasedStateMachine):
    @initialize()
    def cast(self):
        self.town_jurisdiction = jurisdiction()
        enterprise = EnterpriseFactory(jurisdiction=self.town_jurisdiction)
        self.users = {
            "applicant": UserFactory(role="enterprise", enterprise=enterprise),
            "other_applicant": UserFactory(role="enterprise"),
            "town": UserFactory(role="town", jurisdiction=self.town_jurisdiction),
            "bureau": UserFactory(role="bureau"),
            "expert": UserFactory(role="expert"),
            "system": None,
        }
        self.applicants: dict[int, object] = {}  # application id -> its applicant (award: one enterprise each)
        self.standard_id = own_standard(enterprise, status="published").id  # the 品字标 applicant drafted it
        body = CertificationBody(code=f"SM-{enterprise.id}", name=f"状态机认证机构{enterprise.id}")
        db.session.add(body)
        db.session.commit()
        self.body_id = body.id  # the certification body the applicant applies to
        self.ids: list[int] = []
        self.violations: list[str] = []

    # --- starting ------------------------------------------------------------------------------------------------

    def _open(self, workflow: str) -> bool:
        """Whether this example has an application of the workflow still moving (one at a time, so the steps
        carry it far: a rejected, withdrawn or final one makes room for the next)."""
        db.session.rollback()
        return any(a.workflow == workflow and a.status in ("draft", "in_progress", "returned")
                   for a in db.session.scalars(select(Application).where(Application.id.in_(self.ids))))

    @precondition(lambda self: not self._open("pinzibiao"))
    @rule(product=st.sampled_from(["齿轮", "阀门", "模具"]))
    def start_pinzibiao(self, product):
        created = applications.start(self.users["applicant"], "pinzibiao", None,
                                     {"product": product, "standard_proposal": "标准", "self_assessment": "自评"})
        self.ids.append(created.id)
        self.applicants[created.id] = self.users["applicant"]

    @precondition(lambda self: not self._open("quality_award"))
    @rule()
    def start_award(self):
        """An enterprise of the town's jurisdiction applies in a round of its own (so one round's committee and
        notice never decide another application's guard); its self-assessment, declaration and report are in."""
        n = next(_SERIAL)
        today = clock.local_date(clock.now())
        found = rounds.open_round(self.users["bureau"], name=f"第{n}届质量奖", level="linhai", year=today.year,
                                  call_opens_on=today - dt.timedelta(days=5), call_closes_on=today + dt.timedelta(days=5),
                                  quotas={"quality_award": 2, "quality_award_nomination": 1})
        owner = UserFactory(role="enterprise", enterprise=EnterpriseFactory(jurisdiction=self.town_jurisdiction))
        created = flow.start_application(owner, found.id)
        db.session.execute(update(Application).where(Application.id == created.id).values(data={
            "round_id": found.id, "declaration": True,
            "self_assessment": {code: round(points * 0.8, 1) for code, points in MAX_POINTS.items()}}))
        db.session.add(Attachment(application_id=created.id, slot="report", version=1, stage="apply",
                                  original_name="自评报告.pdf", stored_name=f"sm-{n}-{os.getpid()}.pdf",
                                  content_type="application/pdf", size=10, sha256="0" * 64,
                                  uploaded_by_id=owner.id))
        db.session.commit()
        self.ids.append(created.id)
        self.applicants[created.id] = owner

    # --- acting --------------------------------------------------------------------------------------------------

    def _user(self, persona: str, application_id: int):
        return self.applicants[application_id] if persona == "applicant" else self.users[persona]

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), kind=st.integers(0, 9))
    def step(self, data, kind):
        """Three steps in ten act at random, the others make progress."""
        if kind < 3:
            self.act(data, data.draw(st.sampled_from(PERSONAS)), data.draw(st.sampled_from(ACTIONS)),
                     data.draw(st.booleans()), data.draw(st.booleans()))
        else:
            self.progress(data, data.draw(st.integers(0, 9)))

    def act(self, data, persona, action, with_reason, stale):
        application_id = data.draw(st.sampled_from(self.ids))
        user = self._user(persona, application_id)
        application = db.session.get(Application, application_id, populate_existing=True)
        relations = policy.relations(user, application)
        stage_before = application.stage
        version = application.version - 1 if stale else application.version
        try:
            engine.apply(application_id, action, user, reason="理由" if with_reason else None, version=version,
                         payload=self._payload())
        except DomainError as exc:
            REFUSALS[("act", type(exc).__name__)] += 1
            return
        allowed = WORKFLOWS[application.workflow].stage(stage_before).action(action)
        if stale or allowed is None or not (relations & allowed.roles):
            self.violations.append(f"{persona} did {action} at {stage_before} on {application_id} (stale={stale})")

    def progress(self, data, fact_missing):
        application_id = data.draw(st.sampled_from(self.ids[-2:]))  # the newest of each workflow, mostly
        application = db.session.get(Application, application_id, populate_existing=True)
        stage = WORKFLOWS[application.workflow].stage(application.stage)
        choices = [a for a in _forward_first(stage) if application.status in a.from_statuses]
        if not choices:
            return  # closed (rejected, withdrawn) or final: nothing to do
        # mostly forward; now and then a return, a rejection or a withdrawal
        action = choices[0] if data.draw(st.integers(0, 9)) < 7 else data.draw(st.sampled_from(choices))
        personas = [p for p in PERSONAS if policy.relations(self._user(p, application_id), application) & action.roles]
        if not personas:
            self.violations.append(f"nobody may {action.name} at {stage.name}")
            return
        persona = data.draw(st.sampled_from(personas))
        fact_recorded = fact_missing >= 2 and self._record_fact(application, action.name)
        try:
            engine.apply(application_id, action.name, self._user(persona, application_id), reason="理由",
                         version=application.version, payload=self._payload(action))
        except ValidationFailed as exc:
            reason = "; ".join(m for msgs in exc.errors.values() for m in msgs)
            REFUSALS[("progress", reason[:40])] += 1
            if action.guard is None or fact_recorded or "action" not in exc.errors:
                self.violations.append(f"{persona} refused {action.name} at {stage.name}: {reason}")
        except DomainError as exc:
            self.violations.append(f"{persona} refused {action.name} at {stage.name}: {exc}")

    def _payload(self, action=None) -> dict:
        """Values for an action's fields: the ones the rules check, then a plain value of each other field's kind."""
        values = {"standard_id": self.standard_id, "certification_body_id": self.body_id,
                  "cert_number": f"S-{next(_SERIAL)}", "issuer": "认证机构", "issued_on": "2026-01-05",
                  "surveyed_on": "2026-06-01", "revoke_reason": "撤销", "evidence": "依据", "revoked_on": "2026-06-01"}
        for f in (action.fields if action is not None else ()):
            if f.name not in values:
                choices = f.choices() if f.choices else None
                values[f.name] = choices[0][0] if choices else {"date": "2026-06-01", "int": "1"}.get(f.kind, "内容")
        return values

    def _record_fact(self, application, action: str) -> bool:
        """Record, as the award domain would, the fact this action's guard waits for; True when one was needed."""
        if application.workflow == "pinzibiao":
            if action != "standard_published" or application.standard_id:
                return False
            application.standard_id = self.standard_id  # linked to a published standard
            db.session.commit()
            return True
        entry = db.session.scalar(select(AwardEntry).where(AwardEntry.application_id == application.id))
        if entry is None:
            return False
        found = db.session.get(AwardRound, entry.round_id)
        scores = dict(entry.review_scores or {})
        if action == "pass_eligibility":
            entry.eligibility_decision = "eligible"
        elif action in ("complete_document_review", "complete_site_review", "complete_presentation"):
            scores[action.split("_")[1]] = 80.0
            entry.review_scores = scores
        elif action in ("to_notice", "not_selected"):
            entry.proposed = "quality_award" if action == "to_notice" else None
            found.status = "notice"
        elif action in ("shortlisted", "not_shortlisted"):  # the bureau confirmed the round's shortlist
            entry.shortlisted = action == "shortlisted"
        elif action == "notice_closed":  # the notice ended with every objection answered
            entry.proposed = entry.proposed or "quality_award"
            found.status = "approval"
        elif action == "approve":
            entry.honour_id = HonourFactory(enterprise_id=entry.enterprise_id).id
        elif action == "not_won":  # a recommending round recorded the higher body's outcome: not won
            entry.outcome = "not_won"
        elif action == "objection_upheld":
            entry.excluded_reason = "异议成立"
            found.status = "finalised"
        else:
            return False
        db.session.commit()
        return True

    # --- what must always hold -----------------------------------------------------------------------------------

    @invariant()
    def applications_are_legal(self):
        if not getattr(self, "ids", None):
            return
        db.session.rollback()
        assert self.violations == []
        for application in db.session.scalars(select(Application).where(Application.id.in_(self.ids))):
            VISITED[application.workflow].add(application.stage)
            assert application.status in LEGAL[(application.workflow, application.stage)], \
                (application.workflow, application.stage, application.status)
            rows = db.session.scalars(select(Transition).where(Transition.application_id == application.id)
                                      .order_by(*Transition.in_order())).all()
            assert application.version == len(rows)
            assert (rows[-1].to_stage, rows[-1].to_status) == (application.stage, application.status)
            open_runs = db.session.scalar(select(func.count(StageRun.id)).where(
                StageRun.application_id == application.id, StageRun.ended_at.is_(None)))
            closed = application.status in ("rejected", "withdrawn", "revoked") \
                or WORKFLOWS[application.workflow].stage(application.stage).final
            assert open_runs == (0 if closed else 1), (application.stage, application.status, open_runs)

    def teardown(self):
        if getattr(self, "ids", None):
            db.session.rollback()
            assert chain.verify() == []


def test_random_actors_keep_the_invariants_and_reach_every_stage(app):
    for seen in VISITED.values():
        seen.clear()
    REFUSALS.clear()
    run_state_machine_as_test(WorkflowMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        derandomize="STATEFUL_EXAMPLES" not in os.environ,  # CI: the same walk each run; make soak: new ones
        phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=list(HealthCheck)))
    missing = {name: [s.name for s in w.stages if s.name not in VISITED[name]] for name, w in WORKFLOWS.items()}
    print(f"\nstateful: {EXAMPLES} examples x {STEPS} steps; stages visited "
          + ", ".join(f"{name} {len(VISITED[name])}/{len(w.stages)}" for name, w in WORKFLOWS.items())
          + f"; refusals {sum(REFUSALS.values())} ({sum(n for (k, _), n in REFUSALS.items() if k == 'progress')} "
          f"of them guards waiting on a domain fact)")
    assert missing == {name: [] for name in WORKFLOWS}, missing
