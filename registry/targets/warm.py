"""Figures counted by the worker before anyone asks for them: the dashboard (city-wide and for each town) and the
town assessment.

At a province's size a cold figure is a scan of a fact table (1.6 million trademarks, 2.2 million certificates), and
the day's first visitor, or the first after a record changed, would wait for every rule whose counters moved. Beat
runs ``warm`` every minute (``targets-warm-figures``): it asks for exactly the figures those two pages ask for, as of
today in Linhai, through the same cache (``figures``), so a figure whose counters have not moved is a cache hit and
a quiet minute costs a few Redis round trips. Only one warm runs at a time (a lease in Redis); without Redis there is
no cache to fill and it does nothing.
"""
from __future__ import annotations

import logging
import time
from datetime import date

from sqlalchemy import select

from registry.clock import today
from registry.extensions import db
from registry.models import Jurisdiction
from registry.targets import figures, versions
from registry.targets.assessment import compute_assessment
from registry.targets.models import PLAN_14TH
from registry.targets.services import Filters, indicator_rows, plan_indicators, rule_names

log = logging.getLogger(__name__)
LEASE_SECONDS = 15 * 60  # longer than a cold warm at 1,000,000 enterprises; released when the warm ends


def warm(day: date | None = None) -> dict:
    """Fill the cache with the dashboard's figures (city-wide and with each town's filter) and the town assessment's
    on ``day`` (today).

    Returns what was done: ``skipped`` (no cache, or another warm holds the lease) or the seconds it took."""
    day = day or today()
    if figures.page_version() is None:
        return {"day": day.isoformat(), "skipped": "no cache"}
    lease = versions.lease("warm", LEASE_SECONDS)
    if lease is None:
        return {"day": day.isoformat(), "skipped": "running"}
    started = time.perf_counter()
    try:
        indicators = plan_indicators(PLAN_14TH)
        indicator_rows(indicators, Filters(day))
        compute_assessment(day)
        towns = list(db.session.scalars(select(Jurisdiction.id).order_by(Jurisdiction.id)))
        figures.fill_town_rule_counts(rule_names(indicators), day, towns)
    finally:
        versions.release(lease)
    seconds = round(time.perf_counter() - started, 3)
    if seconds > 1:
        log.info("targets: figures as of %s counted in %.1f s", day, seconds)
    return {"day": day.isoformat(), "seconds": seconds}
