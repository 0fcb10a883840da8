"""Cross-area reactions: what a change in one area asks the worker to do for another, declared in one table.

The records service calls ``record_saved`` inside the transaction that creates or changes a record (a form, the
API, an Excel import), so each reaction is an outbox hand-off committed with the record, or rolled back with it
(a preview or a failed import sends nothing). The tasks re-check the registry, so running one twice is harmless.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Reaction:
    """When a record of kind ``kind`` (a record kind's slug) is saved, hand ``task`` the ``kwargs`` of the record."""

    kind: str
    task: str
    kwargs: Callable[[object], dict]
    switch: str | None = None  # an app config flag that turns the reaction off (a test session's shared worker)
    why: str = ""


REACTIONS: tuple[Reaction, ...] = (
    Reaction("credit-records", "awards.flag_credit_listings", lambda record: {"enterprise_id": record.enterprise_id},
             switch="AWARD_CREDIT_WATCH",
             why="a credit listing recorded while a round runs flags the enterprise's open award entries at once "
                 "(the hourly awards-flag-credit-listings sweep is the safety net)"),
)


def record_saved(slug: str, record) -> int:
    """Write the hand-offs the saved ``record`` of kind ``slug`` asks for (the caller commits and then calls
    ``workflows.dispatch.send_handed_off``). Returns how many."""
    from workflows import dispatch

    written = 0
    for reaction in REACTIONS:
        if reaction.kind != slug or (reaction.switch and not current_app.config.get(reaction.switch, True)):
            continue
        dispatch.hand_off(reaction.task, **reaction.kwargs(record))
        written += 1
    return written
