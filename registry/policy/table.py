"""The shape of a rule: an action's name -> the one function that decides it (CKAN's auth-function table)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class UnknownAction(KeyError):
    """An action no rule decides: a typo or a rule that was never written; never silently allowed or refused."""


@dataclass(frozen=True)
class Rule:
    """``decide(user, obj)`` -> may the user take the action (on ``obj``, when the action is about one object);
    ``refusal`` is what ``check`` says when not: a Forbidden, or a NotFound when ``hidden`` (outside a user's
    scope an object does not exist for them, so ids cannot be probed)."""
    decide: Callable[[object, object], bool]
    refusal: str
    hidden: bool = False


def merge(*tables: dict) -> dict:
    """One table from the topic tables; an action named twice is a mistake (two places deciding one rule)."""
    merged: dict = {}
    for table in tables:
        twice = set(merged) & set(table)
        if twice:
            raise ValueError(f"actions decided twice: {sorted(twice)}")
        merged.update(table)
    return merged
