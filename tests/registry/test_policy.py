"""registry.policy (issue 13 item 2): every action of the table is decided for every role as written here, from the
domain rules and independently of the policy's code; an unknown action raises; each scope returns exactly the rows
``can`` allows; "bureau staff or administrator" is written once, in ``registry/policy/roles.py``.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from registry import policy
from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.models import Enterprise
from registry.records.kinds import KINDS
from tests.factories import EnterpriseFactory, UserFactory, jurisdiction
from workflows import definitions
from workflows.models import Application

ROLES = ("enterprise", "town", "expert", "certifier", "bureau", "admin")
STAFF = {"bureau", "admin"}
EVERYONE = set(ROLES)

# Actions about no object: the roles that may take them.
PLAIN = {
    "registry.browse": {"town"} | STAFF,
    "enterprise.create": STAFF, "enterprise.delete": STAFF, "enterprise.override_uscc": STAFF,
    "application.start": {"enterprise"} | STAFF,
    "application.review": {"town"} | STAFF,
    "award.manage": STAFF,
    "admin.pages": STAFF, "user.list": STAFF, "user.activate": {"admin"}, "user.edit": {"admin"},
    "token.issue": {"admin"}, "settings.view": STAFF, "settings.edit": {"admin"}, "catalogue.edit": STAFF,
    "audit.view": {"admin"}, "import.run": STAFF, "delivery.manage": STAFF, "holiday.edit": STAFF,
    "jurisdiction.choose": STAFF, "targets.view": STAFF, "targets.assessment": {"town"} | STAFF,
}
# Actions about an object (built per role by OBJECTS below): the roles that may take them on it. The users'
# tenant is 甲 (their enterprise, their town); 乙 is another enterprise in another town.
ON = {
    ("enterprise.view", "甲"): {"enterprise", "town"} | STAFF, ("enterprise.view", "乙"): STAFF,
    ("enterprise.edit", "甲"): {"enterprise"} | STAFF, ("enterprise.edit", "乙"): STAFF,
    ("record.edit", "甲 honours"): {"enterprise"} | STAFF, ("record.edit", "甲 credit listings"): STAFF,
    ("record.edit", "乙 honours"): STAFF,
    # 甲's application is assigned to the certifier's body; the expert holds no seat on it
    ("application.view", "甲 application"): {"enterprise", "town", "certifier"} | STAFF,
    ("application.view", "乙 application"): STAFF,
    ("application.upload", "甲 application"): {"enterprise", "town", "certifier"} | STAFF,
    ("application.upload", "乙 application"): STAFF,
    ("application.act", "甲 submit"): {"enterprise"}, ("application.act", "甲 accept"): STAFF,
    ("application.act", "乙 submit"): set(),
    ("award_entry.view", "甲 entry"): {"enterprise", "town"} | STAFF, ("award_entry.view", "乙 entry"): STAFF,
    ("token.manage", "own account"): EVERYONE, ("token.manage", "another account"): {"admin"},
    ("import_job.view", "own job"): STAFF, ("import_job.view", "another's job"): {"admin"},
    ("user.create", None): STAFF, ("user.create", "a town account"): STAFF, ("user.create", "a bureau account"): {"admin"},
}


def _action(workflow: str, name: str):
    return next(a for s in definitions.get(workflow, 1).stages for a in s.actions if a.name == name)


def _award_entries(firms: dict) -> tuple[AwardRound, dict]:
    """An open 临海 round of this year and an entry of each firm in it, by the firm's label."""
    today = dt.date.today()
    found = AwardRound(name="第五届临海市政府质量奖", level="linhai", year=today.year, call_opens_on=today,
                       call_closes_on=today + dt.timedelta(days=30))
    db.session.add(found)
    db.session.flush()
    entries = {label: AwardEntry(round_id=found.id, enterprise_id=firm.id, self_assessment={})
               for label, firm in firms.items()}
    db.session.add_all(entries.values())
    return found, entries


@pytest.fixture
def world(app):
    home, away = jurisdiction(), list(db.session.scalars(select(type(jurisdiction())).offset(1).limit(1)))[0]
    own, other = EnterpriseFactory(jurisdiction=home), EnterpriseFactory(jurisdiction=away)
    from registry.models import CertificationBody

    body = CertificationBody(code=f"CB-P-{own.id}", name=f"测试认证机构-{own.id}")
    db.session.add(body)
    db.session.flush()
    users = {"enterprise": UserFactory(role="enterprise", enterprise=own),
             "town": UserFactory(role="town", jurisdiction=home), "expert": UserFactory(role="expert"),
             "certifier": UserFactory(role="certifier", certification_body_id=body.id),
             "bureau": UserFactory(role="bureau"), "admin": UserFactory(role="admin")}
    applications = {}
    for label, firm in (("甲", own), ("乙", other)):
        application = Application(workflow="pinzibiao", definition_version=1, enterprise_id=firm.id, stage="apply",
                                  status="draft", title="测试申请", data={}, created_by_id=users["bureau"].id,
                                  certification_body_id=body.id if label == "甲" else None)
        db.session.add(application)
        applications[label] = application
    _round, entries = _award_entries({"甲": own, "乙": other})
    db.session.commit()
    submit, accept = _action("pinzibiao", "submit"), _action("pinzibiao", "accept")
    objects = {
        "甲": lambda u: own, "乙": lambda u: other,
        "甲 honours": lambda u: (own, KINDS["honours"]), "甲 credit listings": lambda u: (own, KINDS["credit-records"]),
        "乙 honours": lambda u: (other, KINDS["honours"]),
        "甲 application": lambda u: applications["甲"], "乙 application": lambda u: applications["乙"],
        "甲 submit": lambda u: (applications["甲"], submit), "甲 accept": lambda u: (applications["甲"], accept),
        "乙 submit": lambda u: (applications["乙"], submit),
        "甲 entry": lambda u: entries["甲"], "乙 entry": lambda u: entries["乙"],
        "own account": lambda u: u.id, "another account": lambda u: u.id + 100_000,
        "own job": lambda u: SimpleNamespace(user_id=u.id), "another's job": lambda u: SimpleNamespace(user_id=-1),
        None: lambda u: None, "a town account": lambda u: "town", "a bureau account": lambda u: "bureau",
    }
    return SimpleNamespace(users=users, objects=objects, enterprises=(own, other), entries=entries,
                           applications=applications)


def test_every_action_of_the_table_is_written_here():
    assert set(PLAIN) | {action for action, _ in ON} == set(policy.ACTIONS)
    assert not set(PLAIN) & {action for action, _ in ON}


def test_every_role_and_action_is_decided_as_the_table_says(world):
    wrong = []
    for role, user in world.users.items():
        for action, allowed in PLAIN.items():
            if policy.can(user, action) != (role in allowed):
                wrong.append((role, action))
        for (action, name), allowed in ON.items():
            if policy.can(user, action, world.objects[name](user)) != (role in allowed):
                wrong.append((role, action, name))
    assert wrong == []


def test_nobody_and_the_anonymous_visitor_may_do_nothing_but_the_system_sees_applications(world):
    for nobody in (AnonymousUserMixin(),):
        assert not any(policy.can(nobody, action) for action in PLAIN)
    assert not any(policy.can(None, action) for action in PLAIN)
    assert policy.can(None, "application.view", world.applications["乙"])  # beat jobs, the engine's own steps
    assert policy.relations(None, world.applications["乙"]) == {"system"}


def test_check_raises_forbidden_or_not_found_as_the_rule_says(world):
    from registry.services.errors import Forbidden, NotFound

    town = world.users["town"]
    with pytest.raises(Forbidden, match="只有市局人员可以新增企业"):
        policy.check(town, "enterprise.create")
    with pytest.raises(NotFound):  # outside scope an object does not exist: ids cannot be probed
        policy.check(town, "enterprise.view", world.enterprises[1])
    assert policy.check(town, "enterprise.view", world.enterprises[0]) is None


@pytest.mark.parametrize("call", [policy.can, policy.check, lambda user, action: policy.scope(user, action)])
def test_an_unknown_action_raises(world, call):
    with pytest.raises(policy.UnknownAction):
        call(world.users["admin"], "enterprise.destroy")


def test_each_scope_returns_exactly_the_rows_can_allows(world):
    models = {"enterprise.view": (Enterprise, world.enterprises),
              "application.view": (Application, tuple(world.applications.values())),
              "award_entry.view": (AwardEntry, tuple(world.entries.values()))}
    assert set(models) == set(policy.SCOPES)
    for role, user in world.users.items():
        for action, (model, objects) in models.items():
            query = select(model.id).where(model.id.in_([o.id for o in objects]), policy.scope(user, action))
            if model is Application:
                query = query.join(Enterprise, Enterprise.id == Application.enterprise_id)
            scoped = set(db.session.scalars(query))
            assert scoped == {o.id for o in objects if policy.can(user, action, o)}, (role, action)


# "bureau staff or administrator", in any of the ways it was written before issue 13 item 2
_BUREAU_OR_ADMIN = re.compile(r"ROLE_BUREAU,\s*ROLE_ADMIN|ROLE_ADMIN,\s*ROLE_BUREAU|is_bureau|"
                              r"""['"]bureau['"],\s*['"]admin['"]|['"]admin['"],\s*['"]bureau['"]""")


def test_bureau_or_admin_is_written_once():
    root = Path(__file__).resolve().parents[2]
    found = [f"{path.relative_to(root)}:{n}" for folder in ("registry", "workflows", "templates")
             for path in sorted((root / folder).rglob("*")) if path.suffix in (".py", ".html")
             and "translations" not in path.parts and "demo" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if _BUREAU_OR_ADMIN.search(line) and not line.lstrip().startswith(("from ", "import "))]
    assert found == ["registry/policy/roles.py:11"]


# Scopes over a world where each scope differs from its neighbours by more than one row (mutation run, issue 13):
# two towns, three enterprises, two certification bodies, experts with seats that are active, inactive, for every
# stage or for one, award seats with and without a declared conflict, and accounts that lack their tenant.
@pytest.fixture
def wide(app):
    from registry.awards.models import Expert, PanelDraw, PanelMember
    from registry.models import CertificationBody, Jurisdiction
    from workflows.models import Assignment

    home, away = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.sort_order).limit(2)).all()
    firms = {"A1": EnterpriseFactory(jurisdiction=home), "A2": EnterpriseFactory(jurisdiction=home),
             "B1": EnterpriseFactory(jurisdiction=away)}
    bodies = {}
    for label in ("body1", "body2"):
        bodies[label] = CertificationBody(code=f"CB-W-{label}-{firms['A1'].id}", name=f"认证机构{label}-{firms['A1'].id}")
        db.session.add(bodies[label])
    db.session.flush()
    users = {"enterprise A1": UserFactory(role="enterprise", enterprise=firms["A1"]),
             "enterprise without firm": UserFactory(role="enterprise", enterprise=None),
             "town home": UserFactory(role="town", jurisdiction=home),
             "town away": UserFactory(role="town", jurisdiction=away),
             # accounts moved from one role to another keep the old role's tenant: they reach by their role only
             # (a town account once of a certification body, its jurisdiction not yet set, reaches nothing)
             "town without jurisdiction": UserFactory(role="town", jurisdiction=None,
                                                      certification_body_id=bodies["body1"].id),
             "town once of A1": UserFactory(role="town", jurisdiction=away, enterprise=firms["A1"]),
             "expert once of town home": UserFactory(role="expert", jurisdiction=home),
             "expert X": UserFactory(role="expert"), "expert Y": UserFactory(role="expert"),
             "expert outside the pool": UserFactory(role="expert"),
             "certifier body1": UserFactory(role="certifier", certification_body_id=bodies["body1"].id),
             "certifier without body": UserFactory(role="certifier"),
             "bureau": UserFactory(role="bureau"), "admin": UserFactory(role="admin")}
    # (enterprise, certification body, stage)
    plan = {"a1": ("A1", "body1", "apply"), "a2": ("A2", "body2", "apply"), "b1": ("B1", "body1", "pool_review"),
            "b2": ("B1", None, "town_recommendation")}
    applications = {}
    for label, (firm, body, stage) in plan.items():
        applications[label] = Application(
            workflow="pinzibiao", definition_version=1, enterprise_id=firms[firm].id, stage=stage, status="draft",
            title="测试申请", data={}, created_by_id=users["bureau"].id,
            certification_body_id=bodies[body].id if body else None)
    db.session.add_all(applications.values())
    db.session.flush()
    x, y = users["expert X"], users["expert Y"]
    db.session.add_all([
        Assignment(application_id=applications["a1"].id, user_id=x.id, stage=None, active=True),
        Assignment(application_id=applications["b1"].id, user_id=x.id, stage="apply", active=True),  # not b1's stage
        Assignment(application_id=applications["a2"].id, user_id=x.id, stage=None, active=False),
        Assignment(application_id=applications["b2"].id, user_id=y.id, stage="town_recommendation", active=True)])
    found, entries = _award_entries(firms)
    pool = {label: Expert(user_id=users[label].id, name=label) for label in ("expert X", "expert Y")}
    db.session.add_all(pool.values())
    db.session.flush()
    now = dt.datetime.now(dt.timezone.utc)
    seats = (("A1", "expert X", None), ("B1", "expert X", now), ("A2", "expert Y", None))  # B1: conflict declared
    for n, (firm, expert, conflict) in enumerate(seats):
        draw = PanelDraw(round_id=found.id, entry_id=entries[firm].id, seed=f"seed-{n}", inputs={}, result={})
        db.session.add(draw)
        db.session.flush()
        db.session.add(PanelMember(draw_id=draw.id, entry_id=entries[firm].id, expert_id=pool[expert].id,
                                   position=n, role="member", conflict_declared_at=conflict))
    # disabled accounts (Flask-Login: not authenticated) reach nothing and hold no relation anyone is told about
    disabled = {"bureau": UserFactory(role="bureau", is_active_account=False),
                "town home": UserFactory(role="town", jurisdiction=home, is_active_account=False)}
    db.session.commit()
    return SimpleNamespace(users=users, firms=firms, applications=applications, entries=entries, disabled=disabled)


# What each account reaches in the wide world, written from the domain rules.
WIDE_SCOPES = {
    "enterprise.view": {
        "enterprise A1": {"A1"}, "enterprise without firm": set(), "town home": {"A1", "A2"}, "town away": {"B1"},
        "town without jurisdiction": set(), "town once of A1": {"B1"}, "expert once of town home": set(),
        "expert X": set(), "expert Y": set(),
        "expert outside the pool": set(), "certifier body1": set(), "certifier without body": set(),
        "bureau": {"A1", "A2", "B1"}, "admin": {"A1", "A2", "B1"}},
    "application.view": {
        "enterprise A1": {"a1"}, "enterprise without firm": set(), "town home": {"a1", "a2"},
        "town away": {"b1", "b2"}, "town without jurisdiction": set(), "town once of A1": {"b1", "b2"},
        "expert once of town home": set(),
        # an expert sees what they are actively assigned to, for any stage; the relation needs the current stage
        "expert X": {"a1", "b1"}, "expert Y": {"b2"}, "expert outside the pool": set(),
        "certifier body1": {"a1", "b1"}, "certifier without body": set(),
        "bureau": {"a1", "a2", "b1", "b2"}, "admin": {"a1", "a2", "b1", "b2"}},
    "award_entry.view": {
        "enterprise A1": {"A1"}, "enterprise without firm": set(), "town home": {"A1", "A2"}, "town away": {"B1"},
        "town without jurisdiction": set(), "town once of A1": {"B1"}, "expert once of town home": set(),
        "expert X": {"A1"}, "expert Y": {"A2"}, "expert outside the pool": set(),  # no seat once a conflict is declared
        "certifier body1": set(), "certifier without body": set(),
        "bureau": {"A1", "A2", "B1"}, "admin": {"A1", "A2", "B1"}},
}


def test_each_scope_reaches_exactly_the_rows_of_the_domain_rules_and_can_agrees(wide):
    objects = {"enterprise.view": (Enterprise, wide.firms), "application.view": (Application, wide.applications),
               "award_entry.view": (AwardEntry, wide.entries)}
    assert set(objects) == set(policy.SCOPES) == set(WIDE_SCOPES)
    wrong = []
    for action, (model, named) in objects.items():
        label_of = {o.id: label for label, o in named.items()}
        for who, user in wide.users.items():
            query = select(model.id).where(model.id.in_(label_of), policy.scope(user, action))
            if model is Application:
                query = query.join(Enterprise, Enterprise.id == Application.enterprise_id)
            scoped = {label_of[i] for i in db.session.scalars(query)}
            allowed = {label for label, o in named.items() if policy.can(user, action, o)}
            if not scoped == allowed == WIDE_SCOPES[action][who]:
                wrong.append((action, who, sorted(scoped), sorted(allowed)))
    assert wrong == []


def test_relations_follow_the_tenant_the_body_and_the_assignment_of_the_current_stage(wide):
    expected = {
        "enterprise A1": {"a1": {"applicant"}},
        "town home": {"a1": {"town"}, "a2": {"town"}}, "town away": {"b1": {"town"}, "b2": {"town"}},
        "town once of A1": {"b1": {"town"}, "b2": {"town"}},
        "expert X": {"a1": {"expert"}},  # b1: assigned for another stage; a2: the assignment is inactive
        "expert Y": {"b2": {"expert"}},
        "certifier body1": {"a1": {"certifier"}, "b1": {"certifier"}},
        "bureau": {label: {"bureau"} for label in wide.applications},
        "admin": {label: {"bureau"} for label in wide.applications},
    }
    found = {who: {label: rels for label, a in wide.applications.items() if (rels := policy.relations(user, a))}
             for who, user in wide.users.items()}
    assert found == {who: expected.get(who, {}) for who in wide.users}
    b1 = wide.applications["b1"]
    assert policy.is_assigned(wide.users["expert X"].id, b1.id)  # for some stage
    assert policy.is_assigned(wide.users["expert X"].id, b1.id, "apply")
    assert not policy.is_assigned(wide.users["expert X"].id, b1.id, "pool_review")
    assert not policy.is_assigned(wide.users["expert X"].id, wide.applications["a2"].id)


def test_holders_of_each_relation_are_exactly_the_active_accounts_that_hold_it(wide):
    a1, b1, b2 = (wide.applications[k] for k in ("a1", "b1", "b2"))
    names = {u.id: who for who, u in wide.users.items()}

    def held(relation, application, stage=None):
        return {names.get(u.id, u.id) for u in policy.holders(relation, application, stage)}

    assert held("applicant", a1) == {"enterprise A1"}
    assert held("town", a1) == {"town home"}
    assert held("town", b1) == {"town away", "town once of A1"}
    assert held("certifier", a1) == {"certifier body1"}
    assert held("certifier", b2) == set()  # no body chosen yet
    assert held("expert", a1) == {"expert X"}
    assert held("expert", b1) == set() and held("expert", b1, "apply") == {"expert X"}
    assert held("expert", b2) == {"expert Y"}
    assert held("nobody", a1) == set()
    assert {"bureau"} <= held("bureau", a1) and "admin" not in held("bureau", a1)
    disabled = {u.id for u in wide.disabled.values()}
    assert not disabled & {u.id for relation in ("town", "bureau") for u in policy.holders(relation, a1)}


def test_a_disabled_account_reaches_no_enterprise_no_application_and_no_award_entry(wide):
    assert wide.entries
    for user in wide.disabled.values():
        for action, model in (("enterprise.view", Enterprise), ("application.view", Application),
                              ("award_entry.view", AwardEntry)):
            query = select(model.id).where(policy.scope(user, action))
            if model is Application:
                query = query.join(Enterprise, Enterprise.id == Application.enterprise_id)
            assert db.session.scalars(query).all() == [], (user.role, action)
        assert not policy.can(user, "enterprise.view", wide.firms["A1"])
        assert not any(policy.can(user, "award_entry.view", entry) for entry in wide.entries.values())


def test_each_user_has_the_inbox_and_the_account_powers_of_their_role(wide):
    users = wide.users
    assert {who: policy.inbox_relation(u) for who, u in users.items()
            if who in ("enterprise A1", "town home", "expert X", "certifier body1", "bureau", "admin")} == {
        "enterprise A1": "applicant", "town home": "town", "expert X": "expert", "certifier body1": "certifier",
        "bureau": "bureau", "admin": "bureau"}
    assert policy.inbox_relation(None) is None
    assert set(policy.creatable_roles(users["bureau"])) == {"enterprise", "town", "expert", "certifier"}
    assert set(policy.creatable_roles(users["admin"])) == set(ROLES)
    assert policy.creatable_roles(users["town home"]) == ()
    # the town assessment is a town reviewer's only with a town; the system manages nobody's tokens
    assessment = {who for who, u in users.items() if policy.can(u, "targets.assessment")}
    assert assessment == {"town home", "town away", "town once of A1", "bureau", "admin"}
    assert not policy.can(None, "token.manage", users["bureau"].id)
    assert policy.can(None, "award_entry.view", wide.entries["B1"])  # beat jobs reach every entry


def test_get_enterprise_finds_it_in_scope_and_checks_editing_only_when_asked(wide):
    from registry.services.errors import Forbidden, NotFound

    town, a1, b1 = wide.users["town home"], wide.firms["A1"], wide.firms["B1"]
    assert policy.get_enterprise(town, a1.id) is a1  # read-only is enough by default
    for missing in (b1.id, b1.id + 100_000):  # outside scope, or no such enterprise: the same answer
        with pytest.raises(NotFound) as err:
            policy.get_enterprise(town, missing)
        assert str(err.value) == "未找到该企业。"
    with pytest.raises(Forbidden) as err:
        policy.get_enterprise(town, a1.id, for_edit=True)
    assert str(err.value) == "您没有修改该企业信息的权限。"
    assert policy.get_enterprise(wide.users["enterprise A1"], a1.id, for_edit=True) is a1


# The sentence each refusal shows (check raises it: Forbidden, or NotFound for a hidden rule).
REFUSALS = {
    "registry.browse": "没有浏览企业名录的权限。",
    "enterprise.view": "未找到该企业。",
    "enterprise.edit": "您没有修改该企业信息的权限。",
    "enterprise.create": "只有市局人员可以新增企业。",
    "enterprise.delete": "只有市局人员可以删除企业。",
    "enterprise.override_uscc": "只有市局人员可以登记统一社会信用代码例外。",
    "record.edit": "您没有修改该记录的权限。",
    "application.view": "未找到该申请。",
    "application.start": "只有企业用户或市局工作人员可以发起申请。",
    "application.act": "您无权执行此操作。",
    "application.review": "只有镇街审核员和市局人员可以填写审核意见。",
    "application.upload": "您不能向该申请上传附件。",
    "award.manage": "只有市局审核员可以进行此操作。",
    "award_entry.view": "未找到该申报。",
    "admin.pages": "只有系统管理员或市局人员可以进入系统管理。",
    "user.list": "只有系统管理员或市局人员可以管理用户。",
    "user.create": "只有系统管理员可以创建市局或管理员账户。",
    "user.activate": "只有系统管理员可以停用或启用用户。",
    "user.edit": "只有系统管理员可以修改用户账户。",
    "token.manage": "未找到该用户。",
    "token.issue": "只有系统管理员可以签发 API 令牌。",
    "settings.view": "没有查看系统设置的权限。",
    "settings.edit": "只有系统管理员可以修改系统设置。",
    "catalogue.edit": "只有系统管理员或市局人员可以维护目录。",
    "audit.view": "只有系统管理员可以查看安全审计记录。",
    "import.run": "只有市局人员可以导入数据。",
    "import_job.view": "未找到该导入任务。",
    "delivery.manage": "只有市局工作人员或系统管理员可以查看和处理消息投递。",
    "holiday.edit": "只有市局审核员或系统管理员可以维护节假日。",
    "jurisdiction.choose": "只有市局人员可以按镇街筛选。",
    "targets.view": "只有市局人员可以查看质量目标。",
    "targets.assessment": "只有市局人员和镇街审核员可以查看镇街考核。",
}
HIDDEN = {"enterprise.view", "application.view", "award_entry.view", "token.manage", "import_job.view"}


def test_each_refusal_says_its_sentence_and_a_hidden_one_is_not_found(world):
    from registry.services.errors import Forbidden, NotFound

    assert set(REFUSALS) == set(policy.ACTIONS)
    cases = [(action, None, allowed) for action, allowed in PLAIN.items()] + \
            [(action, name, allowed) for (action, name), allowed in ON.items()]
    said = {}
    for action, name, allowed in cases:
        refused = [role for role in ROLES if role not in allowed]
        if action in said or not refused:
            continue
        user = world.users[refused[0]]
        with pytest.raises(NotFound if action in HIDDEN else Forbidden) as err:
            policy.check(user, action, world.objects[name](user))
        said[action] = str(err.value)
    assert said == REFUSALS
