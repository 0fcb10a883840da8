"""The tamper-evident history chain: each transition's hash is HMAC(key, previous hash + the row).

Rows are inserted unsealed and sealed as the transaction's last step; sealing is serialised by locking the single
``ChainHead`` row (PostgreSQL ``FOR UPDATE``; SQLite writers are
already serialised by ``BEGIN IMMEDIATE``). The keys live outside the database, so rebuilding the chain after an
edit is detectable without them. Keys rotate (``AUDIT_HMAC_KEYS``, config.audit_keys): the newest seals, each row
records its key's id, and a row verifies with the key of its id.
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


def _keys() -> dict[str, bytes]:
    from config import audit_keys

    return {key_id: key.encode() for key_id, key in audit_keys(current_app.config)}


def signing_key() -> tuple[str, bytes]:
    """(id, key) of the newest key: the one that seals new rows."""
    from config import audit_keys

    key_id, key = audit_keys(current_app.config)[-1]
    return key_id, key.encode()


def _key() -> bytes:
    return signing_key()[1]


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
    row.key_id, key = signing_key()
    row.hash = row_digest(head.hash, row, key)
    head.seq, head.hash = row.seq, row.hash
    db.session.flush()
    return row


def verify(key: bytes | None = None) -> list[str]:
    """Problems found walking the whole chain in order (empty list: intact). Each row is checked with the key of its
    ``key_id`` (or with ``key`` for every row, when given)."""
    keys = _keys()
    rank = {key_id: position for position, key_id in enumerate(keys)}
    newest_used = -1  # a key once superseded in the chain must not sign a later row
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    if db.session.scalar(select(Transition.id).where(Transition.seq.is_(None)).limit(1)) is not None:
        problems.append("a committed history row has no place in the chain")
    for row in db.session.scalars(select(Transition).where(Transition.seq.is_not(None)).order_by(Transition.seq)):
        if row.seq != expected_seq:
            problems.append(f"seq {expected_seq} missing before {row.seq}")
        if row.prev_hash != prev:
            problems.append(f"seq {row.seq}: previous hash does not match")
        row_key = key or keys.get(row.key_id or "1")
        position = rank.get(row.key_id or "1", -1)
        if key is None and 0 <= position < newest_used:
            problems.append(f"seq {row.seq}: signed with key id {row.key_id!r} after a newer key was in use")
        newest_used = max(newest_used, position)
        if row_key is None:
            problems.append(f"seq {row.seq}: signed with key id {row.key_id!r}, which AUDIT_HMAC_KEYS does not list")
        elif not hmac.compare_digest(row.hash or "", row_digest(row.prev_hash, row, row_key)):
            problems.append(f"seq {row.seq}: row hash does not match its content")
        prev, expected_seq = row.hash, row.seq + 1
    head = db.session.get(ChainHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append("chain head does not match the last row")
    return problems
