"""Scoring use cases: an expert submits a sheet for a review stage; when every seated expert has, the stage
settles (aggregate) or sends wide-spread categories (or items) back for re-scoring. Experts see others' scores
only after submitting their own; applicants see aggregates only, never names.

A round scores either the 7 categories or the 23 items of GB/T 19580 (``AwardRound.scoring_scheme``); the sheet's
codes, maxima, the trimmed mean and the spread check all follow the round's scheme."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update

from registry import settings
from registry.awards import aggregation, gbt19580, panels
from registry.awards.access import get_entry, seat_of
from registry.awards.gbt19580 import check_percentages, check_points
from registry.awards.models import REVIEW_STAGES, AwardEntry, Score
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict, NotFound, ValidationFailed


def rules() -> aggregation.Rules:
    return aggregation.Rules(drop_extremes=bool(settings.get("awards.scoring.drop_extremes")),
                             min_scores_to_trim=int(settings.get("awards.scoring.min_scores_to_trim")),
                             spread_threshold_pct=float(settings.get("awards.scoring.spread_threshold_pct")))


def live_scores(entry_id: int, stage: str) -> list[Score]:
    return list(db.session.scalars(select(Score).where(
        Score.entry_id == entry_id, Score.stage == stage, Score.superseded_at.is_(None)).order_by(Score.id)))


def scheme_of(entry_id: int) -> str:
    entry = db.session.get(AwardEntry, entry_id)
    return entry.round.scoring_scheme if entry is not None else "categories"


def state(entry_id: int, stage: str) -> dict:
    """Where a stage's scoring stands: the round's scheme, seated experts, who still owes which categories (or
    items), each code's current attempt (one more than the last when all its scores were superseded), the
    aggregate so far (by item, ``result`` is rolled up into categories with the items under ``items``)."""
    scheme = scheme_of(entry_id)
    maxima = gbt19580.maxima(scheme)
    seated = [m.expert_id for m in panels.members(entry_id, seated_only=True)]
    rows = db.session.scalars(select(Score).where(Score.entry_id == entry_id, Score.stage == stage)).all()
    have: dict[int, set[str]] = defaultdict(set)
    values: dict[str, list[float]] = defaultdict(list)
    last: dict[str, int] = {}
    live_at_last: dict[str, bool] = {}
    for s in rows:
        if s.attempt > last.get(s.category, 0):
            last[s.category], live_at_last[s.category] = s.attempt, False
        if s.attempt == last[s.category] and s.superseded_at is None:
            live_at_last[s.category] = True
        if s.superseded_at is None:
            have[s.expert_id].add(s.category)
            if s.expert_id in seated:
                values[s.category].append(s.points)
    attempts = {c: (n if live_at_last[c] else n + 1) for c, n in last.items()}
    pending = {e: sorted(set(maxima) - have[e]) for e in seated if set(maxima) - have[e]}
    result = aggregation.sheet(values, maxima, rules())
    return {"scheme": scheme, "seated": seated, "pending": pending, "attempts": attempts,
            "complete": bool(seated) and not pending,
            "result": gbt19580.roll_up(result) if scheme == "items" else result}


def submit(entry_id: int, user: User, stage: str, points: dict, now: datetime, comment: str | None = None) -> dict:
    """Record the expert's sheet for what they still owe at this stage (all of it at first; only the re-scored
    codes after a spread). ``points``: category code -> points when the round scores categories; item code ->
    the percentage given (0..100 in steps of 5, stored as the item's points) when it scores items. Settles the
    stage when every seated expert is done. Returns ``state``.
    Raises NotFound (not seated / not declared), ValidationFailed (field -> message), Conflict."""
    if stage not in REVIEW_STAGES:
        raise ValidationFailed({"stage": ["未知的评审环节。"]})
    entry = get_entry(user, entry_id)
    if stage == "presentation" and not entry.round.presentation_enabled:
        raise ValidationFailed({"stage": ["本批次未设陈述答辩环节。"]})
    seat = seat_of(user, entry_id)
    if seat is None or not seat.active or seat.declared_no_conflict_at is None:
        raise NotFound("请先声明无利益冲突后再评分。")
    begin_write()
    current = state(entry_id, stage)
    owed = current["pending"].get(seat.expert_id)
    if not owed:
        raise Conflict("您已提交本环节的评分。")
    if current["scheme"] == "items":
        clean, errors = check_percentages({code: points.get(code) for code in owed})
    else:
        clean, errors = check_points({k: v for k, v in points.items() if k in owed}, field_prefix="score_")
        errors = {k: v for k, v in errors.items() if k.removeprefix("score_") in owed}
    if errors:
        raise ValidationFailed(errors)
    for code in owed:
        db.session.add(Score(entry_id=entry_id, expert_id=seat.expert_id, stage=stage, category=code,
                             points=clean[code], attempt=current["attempts"].get(code, 1), comment=comment,
                             submitted_at=now))
    db.session.flush()
    after = state(entry_id, stage)
    if after["complete"]:
        after = _settle(entry, stage, after, now)
    db.session.commit()
    return after


def _settle(entry: AwardEntry, stage: str, current: dict, now: datetime) -> dict:
    """All seated experts are done: send wide categories back (superseding their scores), or record the total."""
    limit = int(settings.get("awards.scoring.max_attempts"))
    again = [c for c in current["result"]["rescore"] if current["attempts"].get(c, 1) < limit]  # codes of the sheet
    if again:
        db.session.execute(update(Score).where(
            Score.entry_id == entry.id, Score.stage == stage, Score.category.in_(again),
            Score.superseded_at.is_(None)).values(superseded_at=now).execution_options(synchronize_session=False))
        db.session.flush()
        fresh = state(entry.id, stage)
        fresh["rescore_requested"] = again
        return fresh
    totals = dict(entry.review_scores or {})
    totals[stage] = current["result"]["total"]
    entry.review_scores = totals
    if stage == "site":
        entry.final_score = aggregation.weighted(totals, settings.get("awards.scoring.stage_weights"))
    current["settled"] = True
    return current


def visible_sheets(entry_id: int, user: User, stage: str) -> dict:
    """What an expert may see: their own scores, and the others' only once they have submitted theirs."""
    seat = seat_of(user, entry_id)
    if seat is None or seat.declared_no_conflict_at is None:
        raise NotFound("请先声明无利益冲突。")
    mine = {s.category: s.points for s in live_scores(entry_id, stage) if s.expert_id == seat.expert_id}
    done = not state(entry_id, stage)["pending"].get(seat.expert_id)
    others = []
    if done and mine:
        by_expert: dict[int, dict] = defaultdict(dict)
        for s in live_scores(entry_id, stage):
            if s.expert_id != seat.expert_id:
                by_expert[s.expert_id][s.category] = s.points
        others = list(by_expert.values())
    return {"mine": mine, "others": others, "submitted": done and bool(mine),
            "labels": {c: gbt19580.label_of(c) for c in gbt19580.maxima(scheme_of(entry_id))}}
