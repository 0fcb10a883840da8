"""The tamper-evident history chain: each transition's hash is HMAC(key, previous hash + the row).

Rows are inserted unsealed and sealed as the transaction's last step; sealing is serialised by locking the single
``ChainHead`` row (PostgreSQL ``FOR UPDATE``; SQLite writers are
already serialised by ``BEGIN IMMEDIATE``). The key (``AUDIT_HMAC_KEY``) lives outside the database, so rebuilding
the chain after an edit is detectable without it.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from workflows.models import ChainHead, Transition

GENESIS = "0" * 64


def _canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_digest(prev_hash: str, row: Transition, key: bytes) -> str:
    fields = [row.seq, row.application_id, row.actor_id, row.action, row.from_stage, row.from_status, row.to_stage,
              row.to_status, row.reason, _canonical_time(row.at)]
    message = prev_hash + "|" + "|".join("" if f is None else str(f) for f in fields)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return current_app.config["AUDIT_HMAC_KEY"].encode()


def _locked_head() -> ChainHead:
    head = db.session.scalar(select(ChainHead).where(ChainHead.id == 1).with_for_update())
    if head is None:
        try:
            with db.session.begin_nested():
                db.session.add(ChainHead(id=1, seq=0, hash=GENESIS))
        except IntegrityError:  # another transaction created it first
            pass
        head = db.session.scalar(select(ChainHead).where(ChainHead.id == 1).with_for_update())
    return head


def seal(row: Transition) -> Transition:
    """Give an added ``row`` its place and hash in the chain (caller commits right after).

    Called last in the transaction: the head row stays locked from here to the commit only.
    """
    db.session.flush()
    head = _locked_head()
    row.seq = head.seq + 1
    row.prev_hash = head.hash
    row.hash = row_digest(head.hash, row, _key())
    head.seq, head.hash = row.seq, row.hash
    db.session.flush()
    return row


def verify(key: bytes | None = None) -> list[str]:
    """Problems found walking the whole chain in order (empty list: intact)."""
    key = key or _key()
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    if db.session.scalar(select(Transition.id).where(Transition.seq.is_(None)).limit(1)) is not None:
        problems.append("a committed history row has no place in the chain")
    for row in db.session.scalars(select(Transition).where(Transition.seq.is_not(None)).order_by(Transition.seq)):
        if row.seq != expected_seq:
            problems.append(f"seq {expected_seq} missing before {row.seq}")
        if row.prev_hash != prev:
            problems.append(f"seq {row.seq}: previous hash does not match")
        if row.hash != row_digest(row.prev_hash, row, key):
            problems.append(f"seq {row.seq}: row hash does not match its content")
        prev, expected_seq = row.hash, row.seq + 1
    head = db.session.get(ChainHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append("chain head does not match the last row")
    return problems
