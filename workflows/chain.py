"""Tamper-evident hash chains: each row's hash is HMAC(key, previous hash + the row's fields).

The workflow history (the ``transitions`` table) is one chain per application, its *lane*: ``append`` gives a row
the next position after the application's head (``applications.chain_seq``/``chain_hash``), whose row the engine's
compare-and-set has already locked, so two applications never wait for each other. What links the lanes is a seal
(``seal_heads``, a beat job): an HMAC over every lane's head at one moment, kept in ``chain_seals`` and
``chain_seal_heads``; ``verify`` checks that every sealed head is still in its lane, so cutting an application's
newest rows, or the whole application, after a seal shows. Rows written before lanes (migration 0021) stay in the
one global chain they were sealed into (``HISTORY``, ``seq``), and each application's lane starts from the hash of its
newest such row.

The security audit trail (``registry.audit.chain.AUDIT``) is one global chain: a ``Chain`` with its row model (with
``seq``, ``prev_hash``, ``hash`` and ``key_id`` columns), the id of its row in ``transition_chain_heads``, and the
fields it hashes. Its rows are inserted unsealed and sealed as the transaction's last step, serialised by locking the
chain's ``ChainHead`` row (PostgreSQL ``FOR UPDATE``; SQLite writers are already serialised by ``BEGIN IMMEDIATE``).
The keys live outside the database, so rebuilding a chain after an edit is detectable without them. Keys rotate
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
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from workflows.models import Application, ChainAnchor, ChainHead, ChainSeal, ChainSealHead, Transition

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


HISTORY = Chain("history", Transition, 1, _history_fields, "history chain")  # rows from before lanes (seq set)


def _lane_fields(row: Transition) -> list:
    return ["lane", row.lane_seq, row.application_id, row.actor_id, row.action, row.from_stage, row.from_status,
            row.to_stage, row.to_status, row.reason, canonical_time(row.at)]


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


def append(row: Transition, head_seq: int, head_hash: str | None) -> tuple[int, str]:
    """Give a new history ``row`` the place after its application's head (``head_seq``, ``head_hash``: read under the
    application row's lock) and its hash; returns the new head, which the caller stores on the application in the
    same transaction. Needs no flush: the hash covers the row's content, not its id."""
    row.lane_seq = head_seq + 1
    row.prev_hash = head_hash or GENESIS
    row.key_id, key = signing_key()
    row.hash = digest(row.prev_hash, _lane_fields(row), key)
    return row.lane_seq, row.hash


def _seal_mac(heads, at: datetime, count: int, key: bytes) -> str:
    mac = hmac.new(key, f"seal|{canonical_time(at)}|{count}".encode(), hashlib.sha256)
    for application_id, seq, hash_ in heads:
        mac.update(f"\n{application_id}:{seq}:{hash_}".encode())
    return mac.hexdigest()


def _sealed_heads():
    return db.session.execute(select(ChainSealHead.application_id, ChainSealHead.seq, ChainSealHead.hash)
                              .order_by(ChainSealHead.application_id).execution_options(yield_per=5000))


def seal_heads(now: datetime) -> ChainSeal:
    """Seal every application's current head (set-based: one INSERT ... SELECT), replacing the previous seal's
    heads; the caller commits. What a transaction commits after the copy is covered by the next seal."""
    db.session.execute(delete(ChainSealHead))
    db.session.execute(insert(ChainSealHead).from_select(
        ["application_id", "seq", "hash"],
        select(Application.id, Application.chain_seq, func.coalesce(Application.chain_hash, literal(GENESIS)))))
    count = db.session.scalar(select(func.count()).select_from(ChainSealHead))
    key_id, key = signing_key()
    seal = ChainSeal(at=now, heads=count, key_id=key_id, mac=_seal_mac(_sealed_heads(), now, count, key))
    db.session.add(seal)
    db.session.flush()
    db.session.execute(delete(ChainSeal).where(ChainSeal.id != seal.id))  # the heads of older seals are gone
    return seal


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
    """Problems found walking the chain in order (empty list: intact). Each row is checked with the key of its
    ``key_id`` (or with ``key`` for every row, when given). For the history: the rows of the old global chain, then
    every application's lane, its head, and the newest seal over all heads."""
    keys = _keys()
    problems, tails = _verify_global(chain, key, keys)
    if chain is HISTORY:
        problems += _verify_lanes(key, keys, tails)
        problems += _verify_seal(key, keys)
    return problems


class _KeyOrder:
    """A key once superseded must not sign a later row (of one chain or lane)."""

    def __init__(self, keys: dict[str, bytes]):
        self.rank = {key_id: position for position, key_id in enumerate(keys)}
        self.newest_used = -1

    def late(self, key_id: str | None) -> bool:
        position = self.rank.get(key_id or "1", -1)
        late = 0 <= position < self.newest_used
        self.newest_used = max(self.newest_used, position)
        return late


def _check_row(row, where: str, prev: str, fields: list, key: bytes | None, keys: dict, order: _KeyOrder) -> list[str]:
    problems = []
    if row.prev_hash != prev:
        problems.append(f"{where}: previous hash does not match")
    row_key = key or keys.get(row.key_id or "1")
    if order.late(row.key_id) and key is None:
        problems.append(f"{where}: signed with key id {row.key_id!r} after a newer key was in use")
    if row_key is None:
        problems.append(f"{where}: signed with key id {row.key_id!r}, which AUDIT_HMAC_KEYS does not list")
    elif not hmac.compare_digest(row.hash or "", digest(row.prev_hash, fields, row_key)):
        problems.append(f"{where}: row hash does not match its content")
    return problems


def _verify_global(chain: Chain, key: bytes | None, keys: dict) -> tuple[list[str], dict[int, str]]:
    rows = chain.rows
    order = _KeyOrder(keys)
    problems: list[str] = []
    tails: dict[int, str] = {}  # history: each application's newest row in the global chain
    prev, expected_seq = GENESIS, 1
    anchor = _newest_anchor(chain)
    if anchor is not None:
        anchor_key = key or keys.get(anchor.key_id or "1")
        if anchor_key is None or not hmac.compare_digest(anchor.mac or "", _anchor_mac(chain, anchor, anchor_key)):
            problems.append(f"anchor at seq {anchor.seq}: seal does not match")
        prev, expected_seq = anchor.hash, anchor.seq + 1
    unplaced = [rows.seq.is_(None)] + ([rows.lane_seq.is_(None)] if chain is HISTORY else [])
    if db.session.scalar(select(rows.id).where(*unplaced).limit(1)) is not None:
        problems.append("a committed row has no place in the chain")
    for row in db.session.scalars(select(rows).where(rows.seq >= expected_seq).order_by(rows.seq)
                                  .execution_options(yield_per=2000)):
        if row.seq != expected_seq:
            problems.append(f"seq {expected_seq} missing before {row.seq}")
        problems += _check_row(row, f"seq {row.seq}", prev, chain.fields(row), key, keys, order)
        if chain is HISTORY:
            tails[row.application_id] = row.hash
        prev, expected_seq = row.hash, row.seq + 1
    head = db.session.get(ChainHead, chain.head_id)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append("chain head does not match the last row")
    return problems, tails


def _verify_lanes(key: bytes | None, keys: dict, tails: dict[int, str]) -> list[str]:
    """Each application's lane in order, merged with the applications (both by id) to compare every head."""
    problems: list[str] = []
    lanes = _walk_lanes(key, keys, tails, problems)
    heads = db.session.execute(select(Application.id, Application.chain_seq, Application.chain_hash)
                               .order_by(Application.id).execution_options(yield_per=5000))
    lane = next(lanes, None)
    for application_id, seq, hash_ in heads:
        while lane is not None and lane[0] < application_id:
            problems.append(f"application {lane[0]}: history without its application")
            lane = next(lanes, None)
        found = (0, tails.get(application_id, GENESIS))
        if lane is not None and lane[0] == application_id:
            found, lane = lane[1:], next(lanes, None)
        if (seq, hash_ or GENESIS) != found:
            problems.append(f"application {application_id}: head does not match its last history row")
    while lane is not None:
        problems.append(f"application {lane[0]}: history without its application")
        lane = next(lanes, None)
    return problems


def _walk_lanes(key: bytes | None, keys: dict, tails: dict[int, str], problems: list[str]):
    """Yields (application id, last position, last hash) per lane, by application id; appends what it finds wrong."""
    rows = db.session.scalars(select(Transition).where(Transition.lane_seq.is_not(None))
                              .order_by(Transition.application_id, Transition.lane_seq)
                              .execution_options(yield_per=2000))
    current, prev, expected, order = None, GENESIS, 1, _KeyOrder(keys)
    for row in rows:
        if row.application_id != current:
            if current is not None:
                yield current, expected - 1, prev
            current, expected, order = row.application_id, 1, _KeyOrder(keys)
            prev = tails.get(current, GENESIS)
        if row.lane_seq != expected:
            problems.append(f"application {row.application_id}: position {expected} missing before {row.lane_seq}")
        problems += _check_row(row, f"application {row.application_id} position {row.lane_seq}", prev,
                               _lane_fields(row), key, keys, order)
        prev, expected = row.hash, row.lane_seq + 1
    if current is not None:
        yield current, expected - 1, prev


def _verify_seal(key: bytes | None, keys: dict) -> list[str]:
    seal = db.session.scalar(select(ChainSeal).order_by(ChainSeal.id.desc()).limit(1))
    if seal is None:
        return []
    problems = []
    seal_key = key or keys.get(seal.key_id or "1")
    count = db.session.scalar(select(func.count()).select_from(ChainSealHead))
    if seal_key is None or count != seal.heads or not hmac.compare_digest(
            seal.mac, _seal_mac(_sealed_heads(), seal.at, count, seal_key)):
        problems.append(f"seal of {canonical_time(seal.at)}: does not match its heads")
    lost = db.session.execute(
        select(ChainSealHead.application_id, ChainSealHead.seq)
        .outerjoin(Application, Application.id == ChainSealHead.application_id)
        .outerjoin(Transition, (Transition.application_id == ChainSealHead.application_id)
                   & (Transition.lane_seq == ChainSealHead.seq))
        .where((Application.id.is_(None))
               | ((ChainSealHead.seq > 0) & ((Transition.id.is_(None)) | (Transition.hash != ChainSealHead.hash))))
        .order_by(ChainSealHead.application_id).limit(50)).all()
    for application_id, seq in lost:
        problems.append(f"application {application_id}: sealed history up to position {seq} is gone")
    return problems
