"""What the round page and the public notice page show of the last steps: the shortlist and the objection targets."""
from __future__ import annotations

from registry.awards import committee, shortlist
from registry.awards.display import AWARD_TYPE_LABELS
from registry.awards.models import AwardRound


def objection_targets(round_id: int) -> list[tuple[int, str]]:
    """The choices of an objection's target: the list as a whole (0) or one listed enterprise."""
    from flask_babel import gettext as _

    return [(0, _("（整体名单）"))] + [(e.id, f"{e.enterprise.name}（{_(AWARD_TYPE_LABELS.label(e.proposed))}）")
                                     for e in committee.proposed(round_id) if not e.excluded_reason]


def shortlist_view(found: AwardRound) -> dict:
    """Candidates best first with the default choice, how many entries the list waits for, and whether it is set."""
    rows = shortlist.candidates(found.id)
    decided = found.shortlisted_at is not None
    return {"rows": rows, "pending": 0 if decided else shortlist.pending(found.id), "decided": decided,
            "chosen": {e.id for e in rows if e.shortlisted} if decided else shortlist.suggestion(found.id),
            "qualifies": {e.id: shortlist.qualifies(found, e) for e in rows},
            "score": {e.id: shortlist.document_score(e) for e in rows}}
