"""The engine's table of definitions (issue 13 item 1): filled by the app factory from the areas' table, one
version per name and number, the latest what new applications start under; a test registers more through the
``workflow_definitions`` fixture and the app's table is the same again after it."""
from __future__ import annotations

from dataclasses import replace

import pytest
from flask import current_app

from registry.workflow_definitions import DEFINITIONS, OFFERED
from tests.definitions import TABLE
from workflows import definitions
from workflows.definitions import Definitions


def _versions(table: Definitions) -> list[tuple[str, int]]:
    return [(w.name, w.version) for w in table.all()]


def test_the_app_runs_the_areas_definitions():
    assert _versions(definitions.current()) == [(w.name, w.version) for w in DEFINITIONS()] == _versions(TABLE)
    assert {"pinzibiao", "pinzibiao_agri", "pinzibiao_declaration", "pinzibiao_service",
            "quality_award"} == set(definitions.names())
    assert sorted(definitions.registry()["quality_award"]) == [1, 2, 3]  # stored applications name versions 1, 2


def test_latest_version_unless_one_is_named_and_unknown_is_a_key_error():
    assert definitions.get("quality_award").version == 3
    assert definitions.get("quality_award", 1).version == 1
    with pytest.raises(KeyError):
        definitions.get("quality_award", 9)
    with pytest.raises(KeyError):
        definitions.get("no_such_workflow")


def test_a_version_is_registered_once_and_only_registered_ones_are_offered():
    table = Definitions(DEFINITIONS())
    with pytest.raises(ValueError, match="quality_award v2 registered twice"):
        table.add(table.get("quality_award", 2))
    with pytest.raises(ValueError, match="not registered"):
        Definitions(DEFINITIONS(), offered=("pinzibiao", "no_such_route"))


def test_enterprises_choose_between_the_pinzibiao_routes_in_order():
    assert definitions.offered() == OFFERED() == ("pinzibiao", "pinzibiao_declaration", "pinzibiao_agri",
                                                  "pinzibiao_service")


def test_the_fixture_registers_for_one_test_only(workflow_definitions):
    v1 = definitions.get("pinzibiao", 1)
    workflow_definitions.add(replace(v1, version=7))
    assert definitions.get("pinzibiao").version == 7
    assert current_app.extensions[definitions.EXTENSION] is workflow_definitions


def test_after_the_fixture_the_apps_table_is_its_own_again():
    assert definitions.get("pinzibiao").version == 1
    assert _versions(definitions.current()) == _versions(TABLE)
    assert definitions.offered() == TABLE.offered
