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
    today = dt.date.today()
    found = AwardRound(name="第五届临海市政府质量奖", level="linhai", year=today.year, call_opens_on=today,
                       call_closes_on=today + dt.timedelta(days=30))
    db.session.add(found)
    db.session.flush()
    entries = {label: AwardEntry(round_id=found.id, enterprise_id=firm.id, self_assessment={})
               for label, firm in (("甲", own), ("乙", other))}
    db.session.add_all(entries.values())
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
