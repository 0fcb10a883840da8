"""The audit trail is chained like the workflow history: an edit, a deletion, a swap or a rebuild without the key
shows (4/4), through ``chain.verify`` and through ``flask verify-chain``."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.audit.chain import AUDIT
from registry.audit.models import SecurityEvent
from registry.extensions import db
from workflows import chain


@pytest.fixture
def trail(client, auth, make_user):
    """Five real events: three sign-ins and two sign-outs of one account."""
    user = make_user("bureau")
    for _ in range(2):
        auth.login(user)
        auth.logout()
    auth.login(user)
    rows = list(db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq)))
    assert len(rows) == 5 and chain.verify(chain=AUDIT) == []
    return rows


def _rows():
    return list(db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq)))


def _tamper(kind: str) -> None:
    rows = _rows()
    if kind == "edit":
        rows[1].address = "192.0.2.1"
    elif kind == "delete":
        db.session.delete(rows[2])
    elif kind == "swap":  # exchange two rows' places in the chain
        a, b = rows[1], rows[2]
        a.seq, b.seq = -1, -2
        db.session.flush()
        a.seq, b.seq = 3, 2
    elif kind == "rebuild":  # change a row and recompute every hash with a guessed key
        rows[1].actor = "someone-else@example.cn"
        prev = chain.GENESIS
        for row in rows:
            row.prev_hash = prev
            row.hash = chain.row_digest(prev, row, b"guessed-key", AUDIT)
            prev = row.hash
    db.session.commit()


@pytest.mark.parametrize("kind", ["edit", "delete", "swap", "rebuild"])
def test_tampering_is_detected(trail, runner, kind):
    _tamper(kind)
    assert chain.verify(chain=AUDIT)
    out = runner.invoke(args=["verify-chain"])
    assert out.exit_code == 1 and "security audit chain:" in out.output, out.output


def test_deleting_the_newest_row_is_detected(trail):
    db.session.delete(_rows()[-1])
    db.session.commit()
    assert chain.verify(chain=AUDIT) == ["chain head does not match the last row"]


def test_verify_chain_reports_both_chains_intact(trail, runner):
    out = runner.invoke(args=["verify-chain"])
    assert out.exit_code == 0 and "history chain intact" in out.output and "security audit chain intact" in out.output


def test_a_cut_prefix_keeps_the_rest_verifiable_and_a_forged_anchor_shows(trail, runner):
    from registry import clock
    from workflows.models import ChainAnchor

    assert chain.cut(AUDIT, 2, clock.now()) == 2
    db.session.commit()
    assert [r.seq for r in _rows()] == [3, 4, 5] and chain.verify(chain=AUDIT) == []
    assert runner.invoke(args=["verify-chain"]).exit_code == 0
    anchor = db.session.scalar(select(ChainAnchor))
    anchor.key_id = None  # an anchor written before key ids: a key id "1" anchor (mutation run: #123, #124)
    db.session.commit()
    assert chain.verify(chain=AUDIT) == []
    anchor.seq, anchor.hash = 3, _rows()[0].hash  # hide one more removed row behind a moved anchor
    db.session.delete(_rows()[0])
    db.session.commit()
    assert "anchor at seq 3: seal does not match" in chain.verify(chain=AUDIT)


def test_a_row_without_a_place_and_a_head_that_disagrees_with_the_last_row_show(trail):
    """(mutation run: #141, never reached; #160, "or" -> "and": a head wrong in its seq alone, or its hash alone)"""
    from workflows.chain import ChainHead

    head = db.session.get(ChainHead, AUDIT.head_id)
    head.seq += 1  # the hash still the last row's
    db.session.commit()
    assert chain.verify(chain=AUDIT) == ["chain head does not match the last row"]
    head.seq -= 1
    head.hash = _rows()[-2].hash  # the seq still the last row's
    db.session.commit()
    assert chain.verify(chain=AUDIT) == ["chain head does not match the last row"]
    head.hash = _rows()[-1].hash
    _rows()[1].seq = None
    db.session.commit()
    assert "a committed row has no place in the chain" in chain.verify(chain=AUDIT)


def test_removing_old_rows_without_an_anchor_shows(trail):
    for row in _rows()[:2]:
        db.session.delete(row)
    db.session.commit()
    assert "seq 1 missing before 3" in chain.verify(chain=AUDIT)
