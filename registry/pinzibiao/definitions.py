"""Every version of every 品字标 route the engine may meet, and the routes an enterprise chooses between.

Registered with the engine through ``registry/workflow_definitions.py``; keep every version applications name."""
from __future__ import annotations

from registry.pinzibiao import agri, declaration, manufacturing, service

VERSIONS = (*manufacturing.VERSIONS, *agri.VERSIONS, *declaration.VERSIONS, *service.VERSIONS)

# The definitions an enterprise chooses between when it applies for the 品字标 (the applications page), in this order.
ROUTES = ("pinzibiao", "pinzibiao_declaration", "pinzibiao_agri", "pinzibiao_service")
