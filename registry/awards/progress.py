"""What a round still waits for before its next step (审议, 公示): the call closed, every entry through review.

The steps of a round run in order: the call closes, every entry still in the running finishes its reviews, then
the committee deliberates and the list goes to public notice. ``outstanding`` says what is left in words a
person can act on ("还有 3 个参评组织未完成现场评审"); ``require_ready`` is what the services call before they
record the committee's decision or publish the list.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.services.errors import Conflict

# Entries that left the running (rejected, withdrawn) wait for nothing; "returned" (补正) still counts as open.
_STILL_OPEN = ("in_progress", "returned")
# The stage at which review ends: an entry there (or past it) is ready for the committee.
_REVIEWED_AT = "deliberation"


def _stages_before_deliberation() -> list[tuple[str, str]]:
    from workflows import definitions

    names = []
    for stage in definitions.get("quality_award").stages:
        if stage.name == _REVIEWED_AT:
            break
        names.append((stage.name, stage.label))
    return names


def unfinished(found: AwardRound) -> list[tuple[str, str, int]]:
    """(stage, label, how many entries) still under review, in the workflow's order. Entries without a workflow
    application count at 资格审查 until decided and at 专家评审 until they have a final score."""
    from workflows.models import Application

    rows = db.session.execute(select(AwardEntry, Application).outerjoin(
        Application, Application.id == AwardEntry.application_id).where(AwardEntry.round_id == found.id)).all()
    waiting: Counter = Counter()
    for entry, application in rows:
        if application is not None:
            if application.status in _STILL_OPEN:
                waiting[application.stage] += 1
        elif entry.eligibility_decision is None:
            waiting["eligibility"] += 1
        elif entry.eligibility_decision == "eligible" and entry.final_score is None:
            waiting["document_review"] += 1
    return [(name, label, waiting[name]) for name, label in _stages_before_deliberation() if waiting[name]]


def outstanding(found: AwardRound, today: date) -> list[str]:
    """What must happen before the committee may decide or the list go to notice; empty when nothing is left."""
    left = []
    if today <= found.call_closes_on:
        left.append(f"申报期至 {found.call_closes_on.isoformat()} 结束，申报截止后才能审议和公示。")
    for _name, label, count in unfinished(found):
        left.append(f"还有 {count} 个参评组织未完成{label}。")
    return left


def require_ready(found: AwardRound, today: date, step: str) -> None:
    """Raise Conflict naming what is left when the round is not ready for ``step`` (审议 / 公示)."""
    left = outstanding(found, today)
    if left:
        raise Conflict(f"暂不能{step}：" + "".join(left))
