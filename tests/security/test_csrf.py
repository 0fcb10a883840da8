"""CSRF: every unsafe web route (discovered from the URL map) refuses a request without a valid token with 400."""
from __future__ import annotations

from registry.extensions import db
from tests.security.world import changed_tables, csrf_token, fingerprint, int_params, is_api, make_world, web_client

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _dummy_path(rule) -> str:
    """The CSRF check runs before any view, so any parameter value will do."""
    values = {}
    for name, converter in rule._converters.items():
        items = getattr(converter, "items", None)
        values[name] = 1 if name in int_params(rule) else (sorted(items)[0] if items else "x")
    return rule.build(values, append_unknown=False)[1]


def _unsafe_web_rules(app):
    return [(rule, method) for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            if not is_api(rule) and rule.endpoint != "static"
            for method in sorted((rule.methods or set()) & UNSAFE)]


def test_every_unsafe_web_route_needs_a_csrf_token(app, capsys):
    world = make_world()
    client, _token = web_client(app, world["bureau"])
    other_client, _ = web_client(app, world["admin"])
    foreign_token = csrf_token(app, other_client)  # valid, but for another session
    routes = _unsafe_web_rules(app)
    assert len(routes) >= 5, "expected the sign-in, sign-out and registry forms at least"
    before = fingerprint()
    failures = []
    for rule, method in routes:
        path = _dummy_path(rule)
        for label, data in (("no token", {"name": "x"}), ("foreign token", {"csrf_token": foreign_token}),
                            ("garbage token", {"csrf_token": "not-a-token"})):
            response = client.open(path, method=method, data=data, follow_redirects=False)
            if response.status_code != 400:
                failures.append(f"{method} {path} [{rule.endpoint}] {label}: {response.status_code}")
    db.session.expire_all()
    assert not changed_tables(before, fingerprint()), "a request without a valid CSRF token changed the database"
    with capsys.disabled():
        print(f"\nCSRF: {len(routes)} unsafe web routes, each refused without / with a foreign / with a garbage token")
    assert not failures, "Unsafe routes accepting a request without a valid CSRF token:\n" + "\n".join(failures)


def test_a_valid_token_is_accepted(app):
    world = make_world()
    client, token = web_client(app, world["bureau"])
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
