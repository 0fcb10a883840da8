"""Tamper-evident hash chains: each row's hash is HMAC(key, previous hash + the row's fields).

Two chains use these primitives: the workflow history (``HISTORY``, the ``transitions`` table) and the security
audit trail (``registry.audit.chain.AUDIT``). A chain is a ``Chain``: its row model (with ``seq``, ``prev_hash``,
``hash`` and ``key_id`` columns), the id of its row in ``transition_chain_heads``, and the fields it hashes.

Rows are inserted unsealed and sealed as the transaction's last step; sealing is serialised by locking the chain's
``ChainHead`` row (PostgreSQL ``FOR UPDATE``; SQLite writers are already serialised by ``BEGIN IMMEDIATE``). The keys
live outside the database, so rebuilding the chain after an edit is detectable without them. Keys rotate
(``AUDIT_HMAC_KEYS``, config.audit_keys): the newest seals, each row records its key's id, and a row verifies with the
key of its id.

A chain whose oldest rows a retention job removes first records an anchor (``cut``): the last removed row's seq and
hash, MAC'd with the signing key; ``verify`` then starts from the newest anchor instead of the genesis hash, so the
removal of a sealed prefix keeps the rest verifiable, and any other removal (or a moved or forged anchor) still
shows.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from workflows.models import ChainAnchor, ChainHead, Transition

GENESIS = "0" * 64


@dataclass(frozen=True)
class Chain:
    name: str  # stable: part of every anchor's MAC
    rows: type  # the model: seq, prev_hash, hash, key_id columns
    head_id: int  # its row in transition_chain_heads
    fields: Callable[[Any], list]  # what is hashed of a row, in order
    label: str = ""


def canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")



def _history_fields(row: Transition) -> list:
    return [row.seq, row.application_id, row.actor_id, row.action, row.from_stage, row.from_status, row.to_stage,
            row.to_status, row.reason, canonical_time(row.at)]


HISTORY = Chain("history", Transition, 1, _history_fields, "history chain")


def digest(prev_hash: str, fields: list, key: bytes) -> str:
    message = prev_hash + "|" + "|".join("" if f is None else str(f) for f in fields)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def row_digest(prev_hash: str, row, key: bytes, chain: Chain = HISTORY) -> str:
    return digest(prev_hash, chain.fields(row), key)


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


def _locked_head(chain: Chain = HISTORY) -> ChainHead:
    query = select(ChainHead).where(ChainHead.id == chain.head_id).with_for_update()
    head = db.session.scalar(query)
    if head is None:
        try:
            with db.session.begin_nested():
                db.session.add(ChainHead(id=chain.head_id, seq=0, hash=GENESIS))
        except IntegrityError:  # another transaction created it first
            pass
        head = db.session.scalar(query)
    return head


def seal(row, chain: Chain = HISTORY):
    """Give an added ``row`` its place and hash in ``chain`` (caller commits right after).

    Called last in the transaction: the head row stays locked from here to the commit only.
    """
    db.session.flush()
    head = _locked_head(chain)
    row.seq = head.seq + 1
    row.prev_hash = head.hash
    row.key_id, key = signing_key()
    row.hash = row_digest(head.hash, row, key, chain)
    head.seq, head.hash = row.seq, row.hash
    db.session.flush()
    return row


def _anchor_mac(chain: Chain, anchor: ChainAnchor, key: bytes) -> str:
    return digest("anchor", [chain.name, anchor.seq, anchor.hash, anchor.removed, canonical_time(anchor.at)], key)


def _newest_anchor(chain: Chain) -> ChainAnchor | None:
    return db.session.scalar(select(ChainAnchor).where(ChainAnchor.chain == chain.name)
                             .order_by(ChainAnchor.seq.desc()).limit(1))


def cut(chain: Chain, up_to_seq: int, now: datetime) -> int:
    """Remove ``chain``'s rows up to ``up_to_seq`` (a sealed prefix) and record the sealed anchor that lets
    ``verify`` start after them. Returns the number of rows removed; the caller commits. Does nothing for a seq
    that is not a row's or not past the newest anchor."""
    newest = _newest_anchor(chain)
    last = db.session.scalar(select(chain.rows).where(chain.rows.seq == up_to_seq))
    if last is None or (newest is not None and up_to_seq <= newest.seq):
        return 0
    removed = db.session.query(chain.rows).filter(chain.rows.seq <= up_to_seq).delete(synchronize_session=False)
    key_id, key = signing_key()
    anchor = ChainAnchor(chain=chain.name, seq=last.seq, hash=last.hash, removed=removed, at=now, key_id=key_id)
    anchor.mac = _anchor_mac(chain, anchor, key)
    db.session.add(anchor)
    db.session.flush()
    return removed


def verify(key: bytes | None = None, chain: Chain = HISTORY) -> list[str]:
    """Problems found walking the whole chain in order (empty list: intact). Each row is checked with the key of its
    ``key_id`` (or with ``key`` for every row, when given)."""
    keys = _keys()
    rank = {key_id: position for position, key_id in enumerate(keys)}
    newest_used = -1  # a key once superseded in the chain must not sign a later row
    rows = chain.rows
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    anchor = _newest_anchor(chain)
    if anchor is not None:
        anchor_key = key or keys.get(anchor.key_id or "1")
        if anchor_key is None or not hmac.compare_digest(anchor.mac or "", _anchor_mac(chain, anchor, anchor_key)):
            problems.append(f"anchor at seq {anchor.seq}: seal does not match")
        prev, expected_seq = anchor.hash, anchor.seq + 1
    if db.session.scalar(select(rows.id).where(rows.seq.is_(None)).limit(1)) is not None:
        problems.append("a committed row has no place in the chain")
    for row in db.session.scalars(select(rows).where(rows.seq >= expected_seq).order_by(rows.seq)):
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
        elif not hmac.compare_digest(row.hash or "", row_digest(row.prev_hash, row, row_key, chain)):
            problems.append(f"seq {row.seq}: row hash does not match its content")
        prev, expected_seq = row.hash, row.seq + 1
    head = db.session.get(ChainHead, chain.head_id)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append("chain head does not match the last row")
    return problems
