"""Award background jobs: thin adapters with stable names; ``now`` (ISO string) is injectable for tests."""
from __future__ import annotations

from celery import shared_task

from registry.clock import parse_now


@shared_task(name="awards.close_notices")
def close_notices(now: str | None = None) -> list[int]:
    """Finalise rounds whose public-notice window has closed with no open objection."""
    from registry.awards import flow

    return flow.close_notices(parse_now(now))


@shared_task(name="awards.flag_credit_listings")
def flag_credit_listings(now: str | None = None, enterprise_id: int | None = None) -> int:
    """Flag open entries whose enterprise got a credit listing after their eligibility check (all enterprises, or
    the one whose credit record just changed)."""
    from registry.awards import screening

    return screening.flag_late_credit_listings(parse_now(now), enterprise_id=enterprise_id)
