"""factory_boy factories for every registry model; rows are committed so requests and workers see them."""
from __future__ import annotations

import datetime as dt
import random

import factory
from sqlalchemy import select
from stdnum.cn import uscc as stdnum_uscc

from registry.auth.passwords import hash_password
from registry.extensions import db
from registry import models as m

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PASSWORD_HASHES: dict[str, str] = {}


def make_uscc(seq: int, division: str = "331082") -> str:
    """A valid 18-character credit code in Linhai's division, unique per ``seq``."""
    body = "91" + division
    n = seq
    tail = ""
    for _ in range(9):
        tail = _USCC_CHARS[n % 31] + tail
        n //= 31
    body += tail
    return body + stdnum_uscc.calc_check_digit(body)


def jurisdiction(code: str | None = None) -> m.Jurisdiction:
    q = select(m.Jurisdiction).order_by(m.Jurisdiction.sort_order)
    if code:
        q = q.where(m.Jurisdiction.code == code)
    return db.session.scalars(q).first()


def industry(code: str | None = None) -> m.Industry:
    q = select(m.Industry).order_by(m.Industry.sort_order)
    if code:
        q = q.where(m.Industry.code == code)
    return db.session.scalars(q).first()


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A test that read first holds a SQLite read snapshot; if a worker or the browser's server wrote since,
        # that snapshot cannot become a write ("database is locked"). Take the write lock up front, as services do.
        from registry.database import begin_write

        begin_write()
        return super()._create(model_class, *args, **kwargs)


class EnterpriseFactory(Base):
    class Meta:
        model = m.Enterprise

    name = factory.Sequence(lambda n: f"临海测试企业{n}有限公司")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1000))
    jurisdiction = factory.LazyFunction(lambda: jurisdiction())
    industry = factory.LazyFunction(lambda: industry())
    above_scale = True
    established_on = dt.date(2010, 5, 1)
    legal_representative = factory.Sequence(lambda n: f"法人{n}")
    address = "浙江省临海市"


class UserFactory(Base):
    class Meta:
        model = m.User

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = "bureau"
    password_hash = factory.LazyFunction(
        lambda: _PASSWORD_HASHES.setdefault("default", hash_password("correct-horse-battery")))
    enterprise = factory.Maybe(factory.LazyAttribute(lambda o: o.role == "enterprise"),
                               yes_declaration=factory.SubFactory(EnterpriseFactory), no_declaration=None)
    jurisdiction = factory.Maybe(factory.LazyAttribute(lambda o: o.role == "town"),
                                 yes_declaration=factory.LazyFunction(lambda: jurisdiction()), no_declaration=None)


class StandardFactory(Base):
    class Meta:
        model = m.Standard

    number = factory.Sequence(lambda n: f"T/ZZB {1000 + n}-2022")
    level = "group_zzb"
    title = factory.Sequence(lambda n: f"测试产品标准{n}")
    status = "published"
    published_on = dt.date(2022, 6, 1)


class StandardDrafterFactory(Base):
    class Meta:
        model = m.StandardDrafter

    standard = factory.SubFactory(StandardFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = "lead"


class CertificationFactory(Base):
    class Meta:
        model = m.Certification

    enterprise = factory.SubFactory(EnterpriseFactory)
    cert_type = "pinzibiao"
    number = factory.Sequence(lambda n: f"CZJM2022P{n:05d}")
    issuer = "浙江公信认证有限公司"
    scope = "测试产品"
    issued_on = dt.date(2022, 3, 1)
    expires_on = dt.date(2025, 2, 28)
    status = "valid"


class HonourFactory(Base):
    class Meta:
        model = m.Honour

    enterprise = factory.SubFactory(EnterpriseFactory)
    honour_type = "qianjiang_cup"
    level = "provincial"
    year = 2022
    awarded_on = dt.date(2022, 12, 1)


class PatentFactory(Base):
    class Meta:
        model = m.Patent

    enterprise = factory.SubFactory(EnterpriseFactory)
    number = factory.Sequence(lambda n: _patent_number(2020, 1, 100000 + n))
    patent_type = "invention"
    title = factory.Sequence(lambda n: f"一种测试装置{n}")
    status = "granted"


def _patent_number(year: int, kind: int, serial: int) -> str:
    body = f"{year}{kind}{serial:07d}"
    weights = [2, 3, 4, 5, 6, 7, 8, 9] * 2
    check = sum(int(d) * w for d, w in zip(body, weights)) % 11
    return f"{body}.{'X' if check == 10 else check}"


class TrademarkFactory(Base):
    class Meta:
        model = m.Trademark

    enterprise = factory.SubFactory(EnterpriseFactory)
    reg_number = factory.Sequence(lambda n: str(30000000 + n))
    nice_class = 7
    mark = factory.Sequence(lambda n: f"临海牌{n}")
    registered_on = dt.date(2021, 4, 1)
    expires_on = dt.date(2031, 3, 31)


class CreditRecordFactory(Base):
    class Meta:
        model = m.CreditRecord

    enterprise = factory.SubFactory(EnterpriseFactory)
    list_type = "abnormal_operation"
    listed_on = dt.date(2023, 1, 10)
    authority = "临海市市场监督管理局"


class IncidentRecordFactory(Base):
    class Meta:
        model = m.IncidentRecord

    enterprise = factory.SubFactory(EnterpriseFactory)
    occurred_on = dt.date(2023, 5, 1)
    kind = "failed_spot_check"
    description = "监督抽查不合格"


class BenefitGradeFactory(Base):
    class Meta:
        model = m.BenefitGrade

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    grade = "A"
    authority = "临海市经济和信息化局"


class GiProductFactory(Base):
    class Meta:
        model = m.GiProduct

    enterprise = factory.SubFactory(EnterpriseFactory)
    product_name = factory.Sequence(lambda n: f"临海特产{n}")
    status = "applied"
    applied_on = dt.date(2023, 4, 1)
    authority = "国家知识产权局"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))
