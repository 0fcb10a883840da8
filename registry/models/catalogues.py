"""Editable catalogues: jurisdictions (镇街/开发区), industries (产业), green-product domains (绿色产品领域) and
certification bodies (认证机构)."""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class Jurisdiction(db.Model):
    """A town (镇), street (街道) or development zone (开发区) of Linhai; identified by its division code."""

    __tablename__ = "jurisdictions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # registry.vocab.JURISDICTION_KINDS
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Industry(db.Model):
    """One of the plan's industries (七大产业, plus 其他); ``cluster`` marks the 三大千亿产业集群."""

    __tablename__ = "industries"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    cluster: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GreenProductDomain(db.Model):
    """A product category of the national 绿色产品认证目录 (GB/T 35601-35613 and later batches).

    A 绿色产品认证 certificate names one by ``name`` (registry.records.kinds); the targets count distinct entries.
    """

    __tablename__ = "green_product_domains"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CertificationBody(db.Model):
    """An accredited certification body (认证机构) that certifies 品字标浙江制造 products (the 浙江制造国际认证联盟
    members are data, kept by the bureau). Its ``certifier`` accounts see and act on the applications assigned to it.
    """

    __tablename__ = "certification_bodies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 认可批准号 (CNCA-R-...) or an own code
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
