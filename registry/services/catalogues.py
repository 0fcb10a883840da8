"""Catalogue use cases (administrators): jurisdictions, industries, green-product domains and certification bodies
are data, edited here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from registry import policy
from registry.audit.trail import record
from registry.database import begin_write
from registry.extensions import db
from registry.models import Certification, CertificationBody, GreenProductDomain, Industry, Jurisdiction, User
from registry.records.fields import FieldSpec as F
from registry.records.fields import coerce
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.vocab import JURISDICTION_KINDS

CATALOGUES = {
    "jurisdictions": (Jurisdiction, _l("镇街与开发区"), (
        F("code", _l("代码"), required=True, max_length=12), F("name", _l("名称"), required=True, max_length=64),
        F("kind", _l("类型"), "choice", required=True, choices=JURISDICTION_KINDS),
        F("sort_order", _l("排序"), "int", minimum=0, maximum=9999), F("active", _l("启用"), "bool"))),
    "industries": (Industry, _l("产业"), (
        F("code", _l("代码"), required=True, max_length=32), F("name", _l("名称"), required=True, max_length=64),
        F("cluster", _l("三大千亿产业集群"), "bool"), F("sort_order", _l("排序"), "int", minimum=0, maximum=9999),
        F("active", _l("启用"), "bool"))),
    "green_product_domains": (GreenProductDomain, _l("绿色产品认证领域"), (
        F("code", _l("代码"), required=True, max_length=32, hint=_l("国家标准号（如 GB/T 35602）或自编代码")),
        F("name", _l("名称"), required=True, max_length=100),
        F("sort_order", _l("排序"), "int", minimum=0, maximum=9999), F("active", _l("启用"), "bool"))),
    "certification_bodies": (CertificationBody, _l("认证机构"), (
        F("code", _l("代码"), required=True, max_length=32, hint=_l("认可批准号（如 CNCA-R-2002-001）或自编代码")),
        F("name", _l("名称"), required=True, max_length=100),
        F("sort_order", _l("排序"), "int", minimum=0, maximum=9999), F("active", _l("启用"), "bool"))),
}


def _require_admin(user: User) -> None:
    policy.check(user, "catalogue.edit")


def catalogue(name: str):
    """(model, label, fields) of a catalogue. Raises NotFound."""
    if name not in CATALOGUES:
        raise NotFound("未知的目录。")
    return CATALOGUES[name]


def list_entries(user: User, name: str) -> list:
    _require_admin(user)
    model, _label, _fields = catalogue(name)
    return list(db.session.scalars(select(model).order_by(model.sort_order, model.id)))


def save_entry(user: User, name: str, data: dict, entry_id: int | None = None):
    """Create (``entry_id`` None) or update a catalogue entry. Codes and names stay unique.

    Raises Forbidden, NotFound, ValidationFailed, Conflict.
    """
    _require_admin(user)
    model, _label, fields = catalogue(name)
    begin_write()
    entry = None
    if entry_id is not None:
        entry = db.session.get(model, entry_id)
        if entry is None:
            raise NotFound("未找到该目录项。")
    values, errors = coerce(fields, data)
    if errors:
        raise ValidationFailed(errors)
    # code and name are checked one by one: an edit may keep its own code while taking another entry's name
    for field, word in (("code", "代码"), ("name", "名称")):
        clash = db.session.scalar(select(model).where(getattr(model, field) == values[field]))
        if clash is not None and (entry is None or clash.id != entry.id):
            raise Conflict(f"已存在相同{word}的目录项：{clash.code} {clash.name}。", existing_id=clash.id, field=field)
    created = entry is None
    before = {} if created else {key: getattr(entry, key) for key in values}
    if entry is None:
        entry = model()
        db.session.add(entry)
    if model is GreenProductDomain and not created and before["name"] != values["name"]:
        # certificates name their domain: a renamed entry keeps its certificates
        db.session.execute(update(Certification).where(
            Certification.cert_type == "green_product", Certification.product_domain == before["name"])
            .values(product_domain=values["name"]))
    for key, value in values.items():
        setattr(entry, key, value if value is not None else (0 if key == "sort_order" else value))
    db.session.flush()
    after = {key: getattr(entry, key) for key in values}
    record("catalogue_change", user, f"{name}:{entry.id}",
           {"catalogue": name, "code": entry.code, "created": created,
            "changes": {k: [before.get(k), v] for k, v in after.items() if created or before[k] != v}})
    db.session.commit()
    return entry
