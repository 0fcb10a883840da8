"""Award fixtures: a round, entries, an expert pool with accounts, and a fixed clock."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.awards import rounds, screening
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import Expert, ExpertTie
from registry.extensions import db
from tests.factories import BenefitGradeFactory, CertificationFactory, EnterpriseFactory, UserFactory

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Linhai


def self_assessment(share: float = 0.8) -> dict:
    return {code: round(points * share, 1) for code, points in MAX_POINTS.items()}


@pytest.fixture
def bureau(make_user):
    return make_user("bureau", display_name="市局王科长")


@pytest.fixture
def award_round(bureau):
    return rounds.open_round(bureau, name="第五届临海市政府质量奖", level="linhai", year=2026,
                             call_opens_on=dt.date(2026, 3, 1), call_closes_on=dt.date(2026, 3, 31),
                             quotas={"quality_award": 2, "quality_award_nomination": 1}, issuer="临海市人民政府")


@pytest.fixture
def make_entry(award_round):
    def _make(enterprise=None, excellence_since=2018, **kw):
        enterprise = enterprise or EnterpriseFactory(**kw)
        return rounds.add_entry(award_round.id, enterprise.id, self_assessment=self_assessment(),
                                declaration=True, now=NOW, excellence_since=excellence_since)
    return _make


@pytest.fixture
def make_experts():
    """``n`` experts with accounts; every third may lead."""
    def _make(n: int, ties: dict[int, list[dict]] | None = None) -> list[Expert]:
        out = []
        for i in range(n):
            user = UserFactory(role="expert", display_name=f"专家{i}")
            expert = Expert(user_id=user.id, name=f"专家{i}", specialties=["卓越绩效"], employer=f"单位{i}",
                            can_lead=(i % 3 == 0))
            for tie in (ties or {}).get(i, []):
                expert.ties.append(ExpertTie(**tie))
            db.session.add(expert)
            out.append(expert)
        db.session.commit()
        return out
    return _make


def qualified(enterprise):
    """Give the enterprise what the default rules ask of the registry: a valid ISO 9001 and an A-class grade."""
    CertificationFactory(enterprise=enterprise, cert_type="iso9001", issued_on=dt.date(2024, 1, 1),
                         expires_on=dt.date(2027, 1, 1))
    BenefitGradeFactory(enterprise=enterprise, year=2025, grade="A")
    return enterprise


def eligible(entry, bureau):
    screening.run_check(entry.id, NOW)
    return screening.decide(entry.id, bureau, "eligible", "测试放行", NOW)
