"""/api/v1/openapi.json: public, valid OpenAPI 3.1, complete for every /api/v1 rule, built from the FieldSpecs."""
from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from registry.api import openapi
from registry.records.kinds import KINDS
from registry.services.enterprises import ENTERPRISE_FIELDS
from tests.api.payloads import VALID_RECORDS, enterprise_body

URL = "/api/v1/openapi.json"
_PARAM = re.compile(r"<(?:([a-z]+)(\([^)]*\))?:)?([^>]+)>")


@pytest.fixture
def doc(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response.json


def openapi_paths(rule) -> list[str]:
    """The OpenAPI path keys for a werkzeug rule, an <any(...)> parameter expanded to one path per value."""
    path = rule.rule[len("/api/v1"):]
    paths = [path]
    for match in _PARAM.finditer(path):
        name = match.group(3)
        converter = rule._converters[name]
        items = getattr(converter, "items", None)
        replacements = sorted(items) if items else ["{" + name + "}"]
        paths = [p.replace(match.group(0), r) for p in paths for r in replacements]
    return paths


def test_document_is_public_and_valid_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    assert doc["components"]["securitySchemes"]["bearer"] == {
        **doc["components"]["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"bearer": []}]
    assert {"error", "errors", "existing_id"} <= set(doc["components"]["schemas"]["Error"]["properties"])


# Endpoints whose area has not contributed its documentation yet (printed, not failed; fails once documented, so
# the entry gets removed). Keep this empty.
KNOWN_UNDOCUMENTED: set[str] = set()


def test_every_api_rule_and_method_is_documented(app, doc, capsys):
    missing, known = [], set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for path in openapi_paths(rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                if method.lower() not in doc["paths"].get(path, {}):
                    if rule.endpoint in KNOWN_UNDOCUMENTED:
                        known.add(rule.endpoint)
                    else:
                        missing.append(f"{method} {path} ({rule.endpoint})")
    with capsys.disabled():
        for endpoint in sorted(known):
            print(f"\n  KNOWN UNDOCUMENTED /api/v1 endpoint {endpoint}")
    stale = sorted(KNOWN_UNDOCUMENTED - known)
    assert not stale, f"Documented now: remove from KNOWN_UNDOCUMENTED in tests/api/test_openapi.py: {stale}"
    assert not missing, ("Undocumented /api/v1 operations; contribute them through registry/api/openapi.py "
                         "(see its docstring):\n  " + "\n  ".join(missing))


def test_schemas_follow_the_field_specs(doc):
    schemas = doc["components"]["schemas"]
    for spec in ENTERPRISE_FIELDS:
        prop = schemas["Enterprise"]["properties"][spec.name]
        if spec.max_length:
            assert prop["maxLength"] == spec.max_length
    assert set(schemas["EnterpriseCreate"]["required"]) == {s.name for s in ENTERPRISE_FIELDS if s.required}
    assert "required" not in schemas["EnterprisePatch"]
    certification = schemas["CertificationCreate"]["properties"]
    assert set(certification["cert_type"]["enum"]) == set(KINDS["certifications"].fields[0].choices)
    assert schemas["HonourCreate"]["properties"]["year"]["minimum"] == 1980
    assert schemas["Standard"]["properties"]["level"]["readOnly"] is True
    for slug in KINDS:
        for path in (f"/enterprises/{{enterprise_id}}/{slug}", f"/enterprises/{{enterprise_id}}/{slug}/{{record_id}}"):
            assert path in doc["paths"]


def test_contributions_cannot_collide(monkeypatch):
    monkeypatch.setattr(openapi, "CONTRIBUTORS", openapi.CONTRIBUTORS + ["registry.api.registry_openapi:contribute"])
    with pytest.raises(ValueError, match="contributed twice"):
        openapi.document()


def _validator(doc, name):
    """A JSON-schema validator for one component schema, resolving $refs inside the document."""
    schema = {**doc["components"]["schemas"][name], "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_real_answers_match_the_documented_schemas(client, doc, make_user, api):
    headers = api(make_user("bureau"))
    created = client.post("/api/v1/enterprises", json=enterprise_body(), headers=headers)
    _validator(doc, "EnterpriseCreate").validate(enterprise_body())
    _validator(doc, "Enterprise").validate(created.json)
    _validator(doc, "EnterprisePage").validate(client.get("/api/v1/enterprises", headers=headers).json)
    from registry.api.registry_openapi import schema_name

    for slug, kind in KINDS.items():
        _validator(doc, f"{schema_name(kind)}Create").validate(VALID_RECORDS[slug])
        url = f"{created.headers['Location']}/{slug}"
        record = client.post(url, json=VALID_RECORDS[slug], headers=headers)
        assert record.status_code == 201
        _validator(doc, schema_name(kind)).validate(record.json)
        _validator(doc, f"{schema_name(kind)}List").validate(client.get(url, headers=headers).json)
    error = client.post("/api/v1/enterprises", json={}, headers=headers).json
    _validator(doc, "Error").validate(error)
