"""Fixtures for the targets area: the plan's indicators, fresh cached figures, and a random registry."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Industry, Jurisdiction


@pytest.fixture(autouse=True)
def _fresh_figures(app):
    """Rows are wiped between tests without the ORM seeing it: start each test with no cached figure."""
    from registry.targets.versions import bump_all

    bump_all()
    yield


@pytest.fixture
def indicators(app):
    from registry.targets.seed import seed_indicators

    seed_indicators()


def _maybe(rng, p, value):
    return value if rng.random() < p else None


def build_registry(seed: int = 7, enterprises: int = 40) -> dict:
    """A random registry touching every counted record type, with revocations, withdrawals and expiries."""
    from tests.targets.factories import (CertificationFactory, EnterpriseFactory, HonourFactory,
                                         StandardDrafterFactory, StandardFactory, TrademarkFactory, random_date)

    rng = random.Random(seed)
    towns = list(db.session.scalars(select(Jurisdiction)))
    industries = list(db.session.scalars(select(Industry)))
    ents = [EnterpriseFactory(jurisdiction=rng.choice(towns[:6]), industry=rng.choice(industries[:4]))
            for _ in range(enterprises)]
    lo, hi = dt.date(2019, 1, 1), dt.date(2026, 6, 30)
    honour_types = ["quality_award", "quality_award_nomination", "luban", "national_quality_project", "zhan_tianyou",
                    "qianjiang_cup", "kuocang_cup", "standard_innovation", "standard_internationalisation_pilot",
                    "standardisation_pilot", "zhejiang_boutique", "single_champion", "zhejiang_export_brand"]
    from registry.models import Project
    from registry.vocab import PROJECT_HONOUR_TYPES

    # A few projects shared by several Linhai units (each records its own honour row): counted once.
    projects = [Project(name=f"临海工程{n}号", name_key=f"临海工程{n}号-{seed}") for n in range(12)]
    db.session.add_all(projects)
    db.session.flush()
    for _ in range(160):
        year = rng.randint(2019, 2026)
        awarded = _maybe(rng, 0.8, random_date(rng, dt.date(year, 1, 1), dt.date(year, 12, 31)))
        revoked = _maybe(rng, 0.2, random_date(rng, dt.date(year, 1, 1), hi))
        honour_type = rng.choice(honour_types)
        project = rng.choice(projects) if honour_type in PROJECT_HONOUR_TYPES and rng.random() < 0.9 else None
        valid_until = _maybe(rng, 0.3, random_date(rng, dt.date(year, 1, 1), hi))
        HonourFactory(enterprise=rng.choice(ents), honour_type=honour_type,
                      level=rng.choice(["national", "provincial", "taizhou", "linhai"]), year=year,
                      awarded_on=awarded, revoked_on=revoked, valid_until=valid_until,
                      project_id=project.id if project else None)
    for n in range(60):
        level = rng.choice(["group_zzb", "international", "national", "industry"])
        status = rng.choice(["published", "in_force", "withdrawn", "drafting", "published"])
        published = random_date(rng, lo, hi) if status != "drafting" or rng.random() < 0.2 else None
        withdrawn = None
        if status == "withdrawn" and rng.random() < 0.9:
            withdrawn = random_date(rng, published or lo, hi)
        elif status in ("published", "in_force") and rng.random() < 0.1:
            withdrawn = random_date(rng, published or lo, hi)  # withdrawal recorded ahead of the status
        standard = StandardFactory(number=f"X/T {5000 + n}-{seed}", level=level, status=status,
                                   published_on=published, withdrawn_on=withdrawn)
        for ent in rng.sample(ents, rng.choice([1, 1, 2, 3])):
            StandardDrafterFactory(standard=standard, enterprise=ent, role=rng.choice(["lead", "participant"]))
    cert_types = ["pinzibiao", "zhejiang_international", "green_product", "high_quality_service", "iso10012",
                  "iso9001", "pinzibiao_agri", "pinzibiao_service", "pinzibiao_declaration"]
    for _ in range(200):
        issued = random_date(rng, dt.date(2017, 1, 1), hi)
        status = rng.choice(["valid"] * 5 + ["suspended", "revoked", "cancelled"])
        changed = _maybe(rng, 0.9, random_date(rng, issued, hi)) if status != "valid" else None
        CertificationFactory(enterprise=rng.choice(ents), cert_type=rng.choice(cert_types), issued_on=issued,
                             expires_on=_maybe(rng, 0.9, issued + dt.timedelta(days=rng.choice([365, 1095, 1460]))),
                             status=status, status_changed_on=changed,
                             # catalogue names, and one legacy free-text value that matches no entry (never counted)
                             product_domain=rng.choice(["防水与密封材料", "家具", "纺织产品", "涂料", "建材", None]))
    madrid_numbers = [f"{1500000 + n}" for n in range(10)]  # an international registration spans several rows
    for _ in range(120):
        registered = _maybe(rng, 0.9, random_date(rng, dt.date(2012, 1, 1), hi))
        madrid = rng.random() < 0.4
        gi = rng.random() < 0.25
        TrademarkFactory(enterprise=rng.choice(ents), registered_on=registered,
                         expires_on=registered and registered + dt.timedelta(days=3652),
                         madrid=madrid, madrid_registered_on=_maybe(rng, 0.9, random_date(rng, lo, hi)) if madrid else None,
                         madrid_number=rng.choice(madrid_numbers) if madrid and rng.random() < 0.7 else None,
                         geographical_indication=gi,
                         gi_status=rng.choice(["cultivating", "applied", "registered"]) if gi else None,
                         gi_applied_on=_maybe(rng, 0.7, random_date(rng, lo, hi)) if gi else None,
                         gi_route=rng.choice(["trademark", "product_protection"]) if gi else None,
                         gi_cultivation_started_on=_maybe(rng, 0.5, random_date(rng, lo, hi)) if gi else None)
    from registry.models import GiProduct

    for n in range(12):  # 地理标志产品保护 applications without a trademark number
        status = rng.choice(["cultivating", "applied", "registered"])
        db.session.add(GiProduct(enterprise_id=rng.choice(ents).id, product_name=f"临海特产{n}", status=status,
                                 cultivation_started_on=_maybe(rng, 0.6, random_date(rng, lo, hi)),
                                 applied_on=_maybe(rng, 0.7, random_date(rng, lo, hi)),
                                 approved_on=_maybe(rng, 0.3, random_date(rng, lo, hi))))
    db.session.commit()
    return {"enterprises": ents, "towns": towns[:6], "industries": industries[:4]}


@pytest.fixture
def generated_registry(app):
    return build_registry()
