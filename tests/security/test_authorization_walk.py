"""The authorization walk: every route with an id, every role, every method, on another tenant's objects.

Discovered from ``app.url_map`` when the test runs, so routes added later by any area are walked too (and the
test fails, naming the parameter, until ``tests/security/id_builders.py`` knows how to build it).

Who calls what:
- enterprise account of tenant A -> tenant B's ids; and A's own enterprise id with B's child ids;
- town reviewer of A's jurisdiction -> B's ids (another jurisdiction); and A's enterprise with B's child ids;
- expert -> B's registry objects (experts reach no registry object);
- bureau officer and administrator (they reach everything) -> ids that do not exist.
Which tenants a role reaches is asked of ``registry.policy`` (``REACHES`` must agree with it before a role is walked).
Web routes are called signed in through the login form, with a valid CSRF token on unsafe methods; API routes
with a bearer token. Every call must answer 404 (or a 4xx that a non-existent id answers too, e.g. 403 for a
read-only role, or what ``ALLOWED`` lists) and leave every row of the database unchanged.
"""
from __future__ import annotations

from registry import policy
from registry.extensions import db
from registry.models import Enterprise
from tests.api.payloads import VALID_RECORDS, enterprise_body
from tests.security.id_builders import ALLOWED, BODIES, KNOWN_FINDINGS, Ctx
from tests.security.world import (api_headers, changed_tables, fingerprint, id_rules, int_params, is_api,
                                  make_world, methods, missing_builders, urls, web_client)

ROLES = ("enterprise", "town", "expert", "certifier", "bureau", "admin")
# Which tenants' enterprises each role reaches (own, foreign), as the walk plans its calls; registry.policy is
# asked and must agree before a role is walked.
REACHES = {"enterprise": (True, False), "town": (True, False), "expert": (False, False),
           "certifier": (False, False), "bureau": (True, True), "admin": (True, True)}


def body_for(rule, tenant, values: dict, *, web: bool) -> dict:
    """A plausible, valid body: if a view forgot to check scope, the write would go through and be caught."""
    slug = values.get("slug") or values.get("kind")
    if rule.endpoint in BODIES:
        body = BODIES[rule.endpoint](Ctx(tenant=tenant, bound=values, rule=rule))
    else:
        body = dict(VALID_RECORDS[slug]) if slug in VALID_RECORDS else enterprise_body(n=4242)
    if web:
        body = {k: ("y" if v is True else str(v)) for k, v in body.items() if v is not False}
    return body


class Walker:
    def __init__(self, app, world):
        self.app, self.world = app, world
        self.violations: list[str] = []
        self.known: dict[str, list[str]] = {}
        self.calls = 0
        self.by_role: dict[str, int] = {}

    def call(self, session, rule, method: str, path: str, values: dict):
        client, credential = session
        kwargs: dict = {"follow_redirects": False}
        if is_api(rule):
            kwargs["headers"] = credential
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = body_for(rule, self.world["foreign"], values, web=False)
        elif method != "GET":
            kwargs["data"] = {**body_for(rule, self.world["foreign"], values, web=True), "csrf_token": credential}
        self.calls += 1
        return client.open(path, method=method, **kwargs)

    def judge(self, role, session, rule, method, path, values, response, missing_path):
        status = response.status_code
        if status == 404 or status in ALLOWED.get(rule.endpoint, {}).get(role, set()):
            return None
        if status == 403 and missing_path is None:  # refused on an id that does not exist: the role may never
            return None                             # do this, whatever the id
        if 400 <= status < 500 and status != 401 and missing_path is not None:
            again = self.call(session, rule, method, missing_path[0], missing_path[1])
            if again.status_code == status:  # same answer for a missing id: nothing learnt, nothing done
                return None
            return f"{status} (but {again.status_code} for a missing id)"
        return str(status)

    def walk(self, role: str, user, rules) -> None:
        own, foreign = self.world["own"], self.world["foreign"]
        web, token = web_client(self.app, user)
        sessions = {"web": (web, token), "api": (self.app.test_client(), api_headers(user))}
        reaches = tuple(policy.can(user, "enterprise.view", db.session.get(Enterprise, tenant.enterprise_id))
                        for tenant in (own, foreign))
        assert reaches == REACHES[role], f"the walk's premise for {role} is not the policy's: {reaches}"
        if reaches == (True, True):  # every tenant is theirs: only an id that does not exist is foreign
            plans = [("missing", {"missing": True})]
        elif reaches == (False, False):  # no tenant of their own: every tenant's objects are foreign
            plans = [("foreign", {})]
        else:
            plans = [("foreign", {}), ("own parent", {"parent": own})]
        for rule in rules:
            session = sessions["api" if is_api(rule) else "web"]
            for variant, options in plans:
                if variant == "own parent" and len(int_params(rule)) < 2:
                    continue
                targets = urls(rule, foreign, **options)
                missing = urls(rule, foreign, missing=True, parent=options.get("parent"))
                for (path, values), missing_path in zip(targets, missing):
                    for method in methods(rule):
                        before = fingerprint()
                        response = self.call(session, rule, method, path, values)
                        verdict = self.judge(role, session, rule, method, path, values, response,
                                             None if variant == "missing" else missing_path)
                        changed = changed_tables(before, fingerprint())
                        if changed:
                            verdict = (f"{verdict or response.status_code} AND THE DATABASE CHANGED "
                                       f"({', '.join(changed)})")
                        if verdict:
                            line = f"{role:10} {variant:10} {method:6} {path} -> {verdict}  [{rule.endpoint}]"
                            if rule.endpoint in KNOWN_FINDINGS and not changed:
                                self.known.setdefault(rule.endpoint, []).append(line)
                            else:
                                self.violations.append(line)
                        self.by_role[role] = self.by_role.get(role, 0) + 1


def test_every_route_with_an_id_refuses_other_tenants(app, capsys):
    all_rules = id_rules(app)
    unknown = missing_builders(all_rules)
    rules = [r for r in all_rules if not missing_builders([r])]
    world = make_world()
    actors = {"enterprise": world["own"].users["enterprise"], "town": world["own"].users["town"],
              "expert": world["expert"], "certifier": world["certifier"], "bureau": world["bureau"],
              "admin": world["admin"]}
    assert set(actors) == set(ROLES)
    walker = Walker(app, world)
    for role, user in actors.items():
        walker.walk(role, user, rules)

    api_rules = sum(1 for r in rules if is_api(r))
    with capsys.disabled():
        print(f"\nauthorization walk: {len(rules)} of {len(all_rules)} routes with an id covered ({api_rules} API, "
              f"{len(rules) - api_rules} web); {walker.calls} calls; per role {walker.by_role}; "
              f"violations {len(walker.violations)}")
        for endpoint, lines in sorted(walker.known.items()):
            print(f"  KNOWN FINDING {endpoint} ({len(lines)} calls): {KNOWN_FINDINGS[endpoint]}")
    assert len(walker.by_role) == len(ROLES)
    walked = {r.endpoint for r in rules}
    stale = sorted(e for e in KNOWN_FINDINGS if e in walked and e not in walker.known)
    assert not stale, f"Fixed: remove these from KNOWN_FINDINGS in tests/security/id_builders.py: {stale}"
    assert not walker.violations, "Authorization violations:\n" + "\n".join(walker.violations)
    assert not unknown, ("The authorization walk cannot build these URL parameters; add a builder (and, if the "
                         "objects must exist first, a SETUP function) in tests/security/id_builders.py:\n  "
                         + "\n  ".join(unknown))
