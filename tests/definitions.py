"""The definitions table as the app factory builds it, for what a test module computes while pytest collects it
(parameters, module constants), before any app exists. Inside a test, ask the app's table
(``workflows.definitions``), or register more through the ``workflow_definitions`` fixture."""
from __future__ import annotations

from registry.workflow_definitions import DEFINITIONS, OFFERED
from workflows.definitions import Definitions

TABLE = Definitions(DEFINITIONS(), OFFERED())
