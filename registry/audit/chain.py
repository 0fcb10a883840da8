"""The security audit trail's hash chain: the shared chain primitives (``workflows.chain``) over ``SecurityEvent``."""
from __future__ import annotations

import json

from registry.audit.models import SecurityEvent
from workflows.chain import Chain, canonical_time


def _fields(row: SecurityEvent) -> list:
    details = json.dumps(row.details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return [row.seq, canonical_time(row.at), row.event, row.actor_id, row.actor, row.target, row.address, details]


AUDIT = Chain("audit", SecurityEvent, 2, _fields, "security audit chain")
