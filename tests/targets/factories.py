"""The shared record factories, usable here: the record models have ``enterprise_id`` but no ``enterprise``
relationship, so the SubFactory's enterprise is excluded and its id passed instead."""
from __future__ import annotations

import factory

from tests import factories as base


def _with_enterprise_id(parent):
    meta = type("Meta", (), {"exclude": ("enterprise",)})
    return type(parent.__name__, (parent,), {"Meta": meta,
                                            "enterprise_id": factory.LazyAttribute(lambda o: o.enterprise.id)})


HonourFactory = _with_enterprise_id(base.HonourFactory)
CertificationFactory = _with_enterprise_id(base.CertificationFactory)
TrademarkFactory = _with_enterprise_id(base.TrademarkFactory)
StandardDrafterFactory = _with_enterprise_id(base.StandardDrafterFactory)
StandardFactory = base.StandardFactory
EnterpriseFactory = base.EnterpriseFactory
random_date = base.random_date
