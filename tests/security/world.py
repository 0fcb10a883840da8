"""Shared machinery of the security walks: two tenants, route discovery, signed-in clients, DB fingerprints."""
from __future__ import annotations

import hashlib
import itertools
import re
import secrets

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, Rule

from registry.auth.tokens import issue_token
from registry.extensions import db
from tests import factories as f
from tests.conftest import Auth
from tests.security.id_builders import BUILDERS, SETUP, VOLATILE_COLUMNS, VOLATILE_TABLES, Ctx, Tenant

MISSING_ID = 2_000_000_000  # a valid <int> that no row has
RECORD_FACTORIES = {
    "standards": f.StandardDrafterFactory, "certifications": f.CertificationFactory, "honours": f.HonourFactory,
    "patents": f.PatentFactory, "trademarks": f.TrademarkFactory, "credit-records": f.CreditRecordFactory,
    "incidents": f.IncidentRecordFactory, "benefit-grades": f.BenefitGradeFactory,
}
_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


# --- tenants -----------------------------------------------------------------------------------------------

def make_tenant(label: str, jurisdiction_code: str) -> Tenant:
    """An enterprise in the jurisdiction with one record of every kind, its account, its town reviewer, and
    whatever the areas' ``SETUP`` functions add."""
    place = f.jurisdiction(jurisdiction_code)
    enterprise = f.EnterpriseFactory(jurisdiction=place, name=f"{label}企业有限公司")
    records = {slug: factory(enterprise=enterprise).id for slug, factory in RECORD_FACTORIES.items()}
    users = {"enterprise": f.UserFactory(role="enterprise", enterprise=enterprise),
             "town": f.UserFactory(role="town", jurisdiction=place)}
    tenant = Tenant(label=label, enterprise_id=enterprise.id, jurisdiction_code=jurisdiction_code,
                    record_ids=records, users=users)
    for setup in SETUP:
        try:
            setup(tenant)
        except ModuleNotFoundError:  # an area not in this checkout: its routes do not exist either
            db.session.rollback()
    db.session.commit()
    return tenant


def make_world() -> dict:
    """Tenant A (古城街道) and tenant B (杜桥镇), plus an expert, a certification body's auditor (of a body no
    application is assigned to), a bureau officer and an administrator."""
    from registry.models import CertificationBody

    body = CertificationBody(code="WALK-BODY", name="安全巡检认证机构")
    db.session.add(body)
    db.session.flush()
    return {"certifier": f.UserFactory(role="certifier", certification_body_id=body.id),"own": make_tenant("甲", "331082001"), "foreign": make_tenant("乙", "331082112"),
            "expert": f.UserFactory(role="expert"), "bureau": f.UserFactory(role="bureau"),
            "admin": f.UserFactory(role="admin")}


# --- routes ------------------------------------------------------------------------------------------------

def params_in_order(rule: Rule) -> list[str]:
    return _PARAM.findall(rule.rule)


def int_params(rule: Rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def id_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if int_params(r)), key=lambda r: (r.rule, r.endpoint))


def missing_builders(rules) -> list[str]:
    return sorted({f"{name} (in {rule.rule}, endpoint {rule.endpoint})"
                   for rule in rules for name in params_in_order(rule) if name not in BUILDERS})


def urls(rule: Rule, tenant: Tenant, *, missing: bool = False,
         parent: Tenant | None = None) -> list[tuple[str, dict]]:
    """Every (path, parameters) of the rule the builders give for ``tenant``: the first int parameter taken from
    ``parent`` when given (own parent object, foreign child); with ``missing`` the other ints are MISSING_ID."""
    names = params_in_order(rule)
    ints = int_params(rule)
    choices: list[list[dict]] = [[{}]]
    for name in names:
        expanded = []
        for bound in choices[-1]:
            from_parent = parent is not None and name == ints[0]
            if missing and name in ints and not from_parent:
                values = [MISSING_ID]
            else:
                values = BUILDERS[name](Ctx(tenant=parent if from_parent else tenant, bound=bound, rule=rule))
            expanded.extend({**bound, name: value} for value in values)
        choices.append(expanded)
    return [(rule.build(values, append_unknown=False)[1], values) for values in choices[-1]]


# --- clients -----------------------------------------------------------------------------------------------

def web_client(app: Flask, user):
    """A test client signed in through the real login form, and a valid CSRF token for its session."""
    client = app.test_client()
    response = Auth(client).login(user)
    assert response.status_code == 302, f"sign-in as {user.role} failed: {response.status_code}"
    return client, csrf_token(app, client)


def csrf_token(app: Flask, client) -> str:
    """A CSRF token exactly as Flask-WTF's generate_csrf makes it, bound to this client's session."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(secrets.token_bytes(64)).hexdigest())
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def api_headers(user) -> dict:
    return {"Authorization": f"Bearer {issue_token(user)}"}


# --- the database's fingerprint -----------------------------------------------------------------------------

def fingerprint() -> dict[str, str]:
    """A digest of every row of each table (except what a visit legitimately touches), by table name: two
    fingerprints that differ name the tables a request changed."""
    digests = {}
    db.session.commit()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
            order = list(table.primary_key.columns) or columns
            rows = conn.execute(select(*columns).order_by(*order)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def product(*lists):
    return list(itertools.product(*lists))
