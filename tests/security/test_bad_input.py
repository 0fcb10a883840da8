"""No bad input gives a 500: junk to every API write endpoint and every web form, discovered from the URL map.

API: every junk body answers 4xx with a JSON ``error``/``errors`` (never 5xx). Web forms (signed in as bureau,
with a valid CSRF token, on objects the bureau reaches): never 5xx. And payloads stored through the API render
escaped on the enterprise pages.
"""
from __future__ import annotations

import json
import re

from registry.records.kinds import KINDS
from registry.services.enterprises import ENTERPRISE_FIELDS
from tests.api.payloads import VALID_RECORDS, enterprise_body
from tests.security.id_builders import BUILDERS, KNOWN_500
from tests.security.world import (api_headers, int_params, is_api, make_world, params_in_order, urls,
                                  web_client)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
XSS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "</textarea><svg onload=alert(1)>"]
SQL = ["' OR '1'='1' --", "1; DROP TABLE enterprises; --", "%_\\'\""]
# Values that are wrong for every field of every kind: each must be refused with a 4xx.
INVALID = [
    123, -1, 1.5, 10**30, -(10**30), True, [], ["a", 1], {"a": 1}, "x" * 1_000_000, "\x00", "a\x00b",
    "\ud800", "\u202e\u0000", "2023-02-30", "0000-00-00", "99999-01-01", "1e309", 2**63, -(2**63) - 1,
]
# Values that some fields accept: each must at least never give a 5xx.
ODD = XSS + SQL + ["𠀀𠀁\u202e\ufeff‮", "ＺＬ２０１７", "   ", "null", "NaN", "-0", "9" * 400, "２０２４年１月１日",
                   "9223372036854775808", "-9223372036854775809", "2147483648"]
FIELD_NAMES = sorted({s.name for s in ENTERPRISE_FIELDS} | {s.name for k in KINDS.values() for s in k.fields})
_INPUT = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def _ordered(rules):
    """Deletions last (record deletions before the enterprise's), so earlier forms still find their objects."""
    return sorted(rules, key=lambda r: ("delete" in r.endpoint, -len(r.rule), r.rule))


def _paths(rule, tenant) -> list[tuple[str, dict]]:
    if all(name in BUILDERS for name in params_in_order(rule)):
        return urls(rule, tenant)
    values = {n: 1 if n in int_params(rule) else "x" for n in params_in_order(rule)}  # unknown: still no 500
    return [(rule.build(values, append_unknown=False)[1], values)]


def _api_failure(response, must_refuse: bool) -> str | None:
    status = response.status_code
    if status >= 500:
        return str(status)
    if status >= 400:
        body = response.get_json(silent=True)
        if not isinstance(body, dict) or not (body.get("errors") or body.get("error")):
            return f"{status} without a JSON error"
    elif must_refuse:
        return f"{status}: accepted"
    return None


def test_api_write_endpoints_refuse_junk_without_a_500(app, client, capsys):
    world = make_world()
    headers = api_headers(world["bureau"])
    rules = _ordered(r for r in app.url_map.iter_rules() if is_api(r) and (r.methods or set()) & UNSAFE)
    failures, calls = [], 0
    for rule in rules:
        for path, values in _paths(rule, world["own"]):
            for method in sorted((rule.methods or set()) & UNSAFE):
                slug = values.get("kind") or values.get("slug")
                valid = VALID_RECORDS.get(slug) or enterprise_body(n=7)
                writes = method != "DELETE"  # a DELETE ignores its body
                # (label, request kwargs, must be refused): whole-body junk always is; one bad field among valid
                # ones may be text a field accepts (XSS, SQL: stored, escaped on output), so only "no 5xx" there.
                bodies = [("non-JSON", {"data": "name=x&<>", "content_type": "text/plain"}, writes),
                          ("broken JSON", {"data": '{"name": ', "content_type": "application/json"}, writes),
                          ("empty body", {"data": b"", "content_type": "application/json"}, writes),
                          ("JSON array", {"json": [valid]}, writes),
                          ("JSON string", {"data": '"x"', "content_type": "application/json"}, writes)]
                bodies += [(f"every field = {junk!r:.40}", {"json": {name: junk for name in FIELD_NAMES}}, writes)
                           for junk in INVALID]
                if method == "POST":
                    bodies.append(("missing fields", {"json": {}}, True))
                    bodies += [(f"{name} = {junk!r:.40}", {"json": {**valid, name: junk}}, False)
                               for name in valid for junk in INVALID + ODD]
                for label, kwargs, must_refuse in bodies:
                    response = client.open(path, method=method, headers=headers, **kwargs)
                    calls += 1
                    failure = _api_failure(response, must_refuse=must_refuse)
                    if failure:
                        failures.append(f"{method} {path} [{label}] -> {failure}")
    with capsys.disabled():
        print(f"\nbad input, API: {len(rules)} write rules, {calls} junk requests, failures {len(failures)}")
    assert not failures, "\n".join(failures[:60])


def _form_fields(client, path: str) -> list[str]:
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.content_type:
        return []
    return sorted(set(_INPUT.findall(response.get_data(as_text=True))) - {"csrf_token"})


def test_web_forms_never_answer_500(app, capsys):
    world = make_world()
    client, token = web_client(app, world["bureau"])
    rules = _ordered(r for r in app.url_map.iter_rules()
                     if not is_api(r) and "POST" in (r.methods or set()) and r.endpoint != "auth.logout")
    failures, calls = [], 0
    for rule in rules:
        for path, _values in _paths(rule, world["own"]):
            names = _form_fields(client, path) if "GET" in rule.methods else []
            names = names or FIELD_NAMES
            bodies = [{}, {name: "" for name in names}]
            # A browser cannot send lone surrogates; invalid UTF-8 bytes stand in for them below.
            bodies += [{name: str(junk) if not isinstance(junk, str) else junk for name in names}
                       for junk in INVALID + ODD
                       if not isinstance(junk, (list, dict)) and not re.search("[\ud800-\udfff]", str(junk))]
            bodies.append({name: ["a", "b"] for name in names})  # repeated fields
            raw = "&".join(f"{name}=%ED%A0%80%FF%00" for name in names).encode() + f"&csrf_token={token}".encode()
            response = client.post(path, data=raw, content_type="application/x-www-form-urlencoded")
            calls += 1
            if response.status_code >= 500:
                failures.append(f"POST {path} [{rule.endpoint}] invalid UTF-8 -> {response.status_code}")
            for body in bodies:
                response = client.post(path, data={**body, "csrf_token": token}, follow_redirects=False)
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"POST {path} [{rule.endpoint}] {sorted(body)[:3]}={next(iter(body.values()), '')!r:.30}"
                                    f" -> {response.status_code}")
    known = {e for e in KNOWN_500 if any(f"[{e}]" in line for line in failures)}
    stale = sorted(e for e in KNOWN_500 if e in {r.endpoint for r in rules} and e not in known)
    failures = [line for line in failures if not any(f"[{e}]" in line for e in known)]
    with capsys.disabled():
        print(f"\nbad input, web forms: {len(rules)} POST routes, {calls} junk posts, 5xx {len(failures)}")
        for endpoint in sorted(known):
            print(f"  KNOWN 500 {endpoint}: {KNOWN_500[endpoint]}")
    assert not stale, f"Fixed: remove these from KNOWN_500 in tests/security/id_builders.py: {stale}"
    assert not failures, "\n".join(failures[:60])


def test_xss_stored_through_the_api_renders_escaped(app, client, make_user, api):
    headers = api(make_user("bureau"))
    payload = XSS[0]
    body = enterprise_body(n=31)
    for spec in ENTERPRISE_FIELDS:
        if spec.type in ("str", "text") and spec.name not in ("uscc", "jurisdiction", "industry", "contact_email", "contact_phone"):
            body[spec.name] = payload[: spec.max_length or 10_000]
    created = client.post("/api/v1/enterprises", json=body, headers=headers)
    assert created.status_code == 201, created.json
    base = created.headers["Location"]
    stored = 0
    for slug, kind in KINDS.items():
        record = dict(VALID_RECORDS[slug])
        for spec in kind.fields:
            if spec.type in ("str", "text") and spec.name not in ("number", "reg_number"):
                record[spec.name] = XSS[stored % len(XSS)][: spec.max_length or 10_000]
        response = client.post(f"{base}/{slug}", json=record, headers=headers)
        assert response.status_code == 201, (slug, response.json)
        stored += 1
    enterprise_id = created.json["id"]
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert "enterprises.show" in endpoints, "the enterprise page is needed for this test"
    web, _ = web_client(app, make_user("bureau"))
    pages = [f"/enterprises/{enterprise_id}", f"/enterprises?q={payload}"]
    pages += [f"/enterprises/{enterprise_id}/{slug}/new" for slug in KINDS]
    for path in pages:
        response = web.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        for raw in XSS:
            assert raw not in html, f"unescaped payload on {path}"
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    show = web.get(f"/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in show  # it is there, escaped


def test_sign_in_with_a_nul_in_the_address_is_a_plain_failure(client, auth):
    token = auth.csrf("/login")
    for email in ("a\x00b@example.cn", "\x00"):
        response = client.post("/login", data={"email": email, "password": "x", "csrf_token": token})
        assert response.status_code == 200  # the form again, with the usual message


# --- shapes: huge integers anywhere, JSON too deep or too large (issue 9, item 6) -------------------------------

HUGE = ["9223372036854775808", "-9223372036854775809", "2147483648", "1e999", "-1", "0", "２", "0x10", " 7 "]
QUERY_INTS = ("page", "per_page", "jurisdiction", "year", "id", "version", "round", "round_id", "enterprise_id",
              "standard_id", "limit", "offset", "days")


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def test_huge_ids_in_the_path_are_404_on_every_route(app, capsys):
    world = make_world()
    web, token = web_client(app, world["bureau"])
    api_client, headers = app.test_client(), api_headers(world["bureau"])
    failures, calls = [], 0
    rules = [r for r in app.url_map.iter_rules() if int_params(r)]
    for rule in rules:
        client, kwargs = (api_client, {"headers": headers}) if is_api(rule) else (web, {})
        for _path, values in _paths(rule, world["own"])[:1]:
            for huge in (2**63, 2**31, 10**30):
                path = rule.build({**values, **{n: huge for n in int_params(rule)}}, append_unknown=False)[1]
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    data = {"csrf_token": token} if method != "GET" and not is_api(rule) else None
                    response = client.open(path, method=method, data=data, **kwargs)
                    calls += 1
                    if response.status_code not in (404, 405):
                        failures.append(f"{method} {path} [{rule.endpoint}] -> {response.status_code}")
    with capsys.disabled():
        print(f"\nbad input, huge path ids: {len(rules)} rules, {calls} requests, failures {len(failures)}")
    assert not failures, "\n".join(failures[:60])


def test_huge_and_odd_query_integers_never_answer_500(app, capsys):
    world = make_world()
    web, _token = web_client(app, world["bureau"])
    api_client, headers = app.test_client(), api_headers(world["bureau"])
    failures, calls = [], 0
    rules = [r for r in app.url_map.iter_rules()
             if "GET" in (r.methods or set()) and r.endpoint not in ("static", "auth.logout")]
    for rule in rules:
        client, kwargs = (api_client, {"headers": headers}) if is_api(rule) else (web, {})
        for path, _values in _paths(rule, world["own"])[:1]:
            for junk in HUGE:
                response = client.get(path, query_string={name: junk for name in QUERY_INTS}, **kwargs)
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"GET {path}?…={junk} [{rule.endpoint}] -> {response.status_code}")
    with capsys.disabled():
        print(f"\nbad input, query integers: {len(rules)} GET rules, {calls} requests, 5xx {len(failures)}")
    assert not failures, "\n".join(failures[:60])


def test_deep_or_large_json_is_refused_on_every_api_write_route(app, capsys):
    world = make_world()
    client, headers = app.test_client(), api_headers(world["bureau"])
    limit = app.config["JSON_MAX_BYTES"]
    shapes = [("array 5000 deep", "[" * 5000 + "]" * 5000, {400, 422}),
              ("object 5000 deep", _nested(5000), {400, 422}),
              ("object 33 deep", _nested(app.config["JSON_MAX_DEPTH"] + 1), {400, 422}),
              ("larger than JSON_MAX_BYTES", json.dumps({"name": "x" * limit}), {413})]
    rules = _ordered(r for r in app.url_map.iter_rules() if is_api(r) and (r.methods or set()) & UNSAFE)
    failures, calls = [], 0
    for rule in rules:
        for path, _values in _paths(rule, world["own"])[:1]:
            for method in sorted((rule.methods or set()) & UNSAFE - {"DELETE"}):
                for label, body, expected in shapes:
                    response = client.open(path, method=method, data=body, content_type="application/json",
                                           headers=headers)
                    calls += 1
                    problem = _api_failure(response, must_refuse=True)
                    if problem or response.status_code not in expected | {403, 404}:
                        failures.append(f"{method} {path} [{label}] -> {problem or response.status_code}")
    with capsys.disabled():
        print(f"\nbad input, JSON shapes: {len(rules)} write rules, {calls} requests, failures {len(failures)}")
    assert not failures, "\n".join(failures[:60])
