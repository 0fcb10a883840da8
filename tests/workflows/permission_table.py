"""The runner the permission-table tests share (品字标, the other 品字标 routes, the award): the expected table covers
the definition, and every persona's attempt at one (stage, action) is allowed or refused as the table says.

An allowed attempt moves the application on by exactly one version and one history row; a refused one raises
NotFound (the persona does not see the application) or Forbidden, and changes nothing.
"""
from __future__ import annotations

from typing import Callable

import pytest

from registry.extensions import db
from registry.services.errors import Forbidden, NotFound
from tests.definitions import TABLE
from workflows import definitions, engine
from workflows.models import Application, Transition


def assert_table_covers(name: str, version: int, expected: dict) -> None:
    """``expected`` names every (stage, action) of the definition, each with exactly the relations it allows."""
    workflow = definitions.get(name, version)
    assert {(s.name, a.name) for s in workflow.stages for a in s.actions} == set(expected)
    for stage in workflow.stages:
        for action in stage.actions:
            assert set(action.roles) == expected[(stage.name, action.name)], (name, stage.name, action.name)


def cases(name: str, version: int = 1) -> list[tuple[str, str, str]]:
    """(stage, action, a status the action starts from) for every action of the definition (collection time:
    read from the table the app factory builds)."""
    workflow = TABLE.get(name, version)
    return [(s.name, a.name, sorted(a.from_statuses)[0]) for s in workflow.stages for a in s.actions]


def try_every_persona(application_id: int, action: str, allowed: set[str], *, personas, relation: dict,
                      unseen, user_of: Callable, reset: Callable[[str], None], payload: Callable[[], dict],
                      after_success: Callable[[], None] | None = None) -> None:
    """Each persona in turn, from the state ``reset(persona)`` puts the application in, attempts ``action``.

    ``relation`` maps a persona to the relation it holds (absent: none); ``allowed`` is the table's relations for
    the action; ``unseen`` the personas that do not see the application at all; ``user_of(persona)`` the account
    (None for the system); ``payload()`` the action's values, fresh for each attempt (a certificate number is
    taken once).
    """
    for persona in personas:
        reset(persona)
        before = db.session.get(Application, application_id)
        before_state = (before.stage, before.status, before.version)
        transitions = db.session.query(Transition).count()
        user, values = user_of(persona), payload()
        if relation.get(persona) in allowed:
            outcome = engine.apply(application_id, action, user, reason="测试理由", payload=values)
            assert outcome.version == before_state[2] + 1, (persona, action)
            assert db.session.query(Transition).count() == transitions + 1
            if after_success is not None:
                after_success()
        else:
            with pytest.raises(NotFound if persona in unseen else Forbidden):
                engine.apply(application_id, action, user, reason="测试理由", payload=values)
            db.session.expire_all()
            after = db.session.get(Application, application_id)
            assert (after.stage, after.status, after.version) == before_state, (persona, action)
            assert db.session.query(Transition).count() == transitions
