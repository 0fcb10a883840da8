"""Rotating the history chain's key (issue 10, item 7): each chained row records its key id; AUDIT_HMAC_KEYS lists
id:key pairs, the newest signs. Rows before and after a rotation verify; a tampered row, a dropped old key and a
row re-signed with a superseded key are reported."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config import ConfigError, audit_keys, check_production_safety, load_config
from registry.extensions import db
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)
from workflows import chain, engine
from workflows.models import Transition

NEW_KEY = "the-second-audit-key-of-32-bytes-or-more"


def rows() -> list[Transition]:
    db.session.expire_all()
    return list(db.session.scalars(select(Transition).order_by(Transition.application_id, *Transition.in_order())))


def place(row: Transition) -> str:
    return f"application {row.application_id} position {row.lane_seq}"


def test_rows_before_and_after_a_rotation_verify_and_tampering_still_shows(app, cast, draft, runner, monkeypatch):
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    before = rows()
    assert before and {row.key_id for row in before} == {"1"}  # AUDIT_HMAC_KEY alone is key id 1

    old = app.config["AUDIT_HMAC_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEYS", (("1", old), ("2", NEW_KEY)))
    engine.apply(application.id, "recommend", cast.town)
    engine.apply(application.id, "accept", cast.bureau)
    after = rows()[len(before):]
    assert after and {row.key_id for row in after} == {"2"}
    assert chain.verify() == []
    out = runner.invoke(args=["workflows", "verify-chain"])
    assert out.exit_code == 0 and "intact" in out.output
    # the new rows are really sealed with the new key, not the old one
    assert chain.verify(key=old.encode()) and not chain.verify(key=None)

    for victim in (before[-1], after[-1]):  # a row sealed with each key, edited
        victim.reason = "改过的理由"
        db.session.flush()
        problems = chain.verify()
        assert f"{place(victim)}: row hash does not match its content" in problems
        db.session.rollback()
    assert chain.verify() == []

    # someone holding only the old key re-seals the newest row with it
    last = rows()[-1]
    last.reason = "伪造"
    last.key_id = "1"
    last.hash = chain.digest(last.prev_hash, chain._lane_fields(last), old.encode())
    db.session.get(type(application), application.id).chain_hash = last.hash
    db.session.flush()
    assert chain.verify() == [f"{place(last)}: signed with key id '1' after a newer key was in use"]
    db.session.rollback()

    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEYS", (("2", NEW_KEY),))  # the old key dropped: its rows unverifiable
    problems = chain.verify()
    assert problems == [f"{place(row)}: signed with key id '1', which AUDIT_HMAC_KEYS does not list" for row in before]


def test_audit_keys_setting(monkeypatch):
    monkeypatch.setenv("AUDIT_HMAC_KEYS", "1:first-key,2:second:key-with-colon")
    settings = load_config()
    assert settings["AUDIT_HMAC_KEYS"] == (("1", "first-key"), ("2", "second:key-with-colon"))
    assert audit_keys(settings)[-1] == ("2", "second:key-with-colon")
    monkeypatch.delenv("AUDIT_HMAC_KEYS")
    assert audit_keys(load_config()) == (("1", load_config()["AUDIT_HMAC_KEY"]),)
    for bad in ("no-id-here", "1:a,1:b", ":key"):
        monkeypatch.setenv("AUDIT_HMAC_KEYS", bad)
        with pytest.raises(ConfigError):
            load_config()

    monkeypatch.setenv("REGISTRY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-at-least-32-bytes-x")
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    monkeypatch.setenv("AUDIT_HMAC_KEYS", f"1:too-short,2:{NEW_KEY}")
    with pytest.raises(ConfigError, match="AUDIT_HMAC_KEYS key 1 must be at least 32 bytes"):
        check_production_safety(load_config())
    monkeypatch.setenv("AUDIT_HMAC_KEYS", f"1:{NEW_KEY}-old,2:{NEW_KEY}")
    check_production_safety(load_config())


def test_a_row_without_a_key_id_is_a_key_1_row(app, cast, draft, monkeypatch):
    """Rows written before key ids existed carry none and count as key id "1": they verify with that key, and one
    re-sealed with it after a newer key was in use is reported like any other late key-1 row (mutation run)."""
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    first = rows()[0]
    first.key_id = None  # as an installation from before key ids wrote it
    db.session.flush()
    assert chain.verify() == []
    db.session.commit()

    old = app.config["AUDIT_HMAC_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEYS", (("1", old), ("2", NEW_KEY)))
    engine.apply(application.id, "recommend", cast.town)
    engine.apply(application.id, "accept", cast.bureau)
    last = rows()[-1]
    last.reason = "伪造"
    last.key_id = None
    last.hash = chain.digest(last.prev_hash, chain._lane_fields(last), old.encode())
    db.session.get(type(application), application.id).chain_hash = last.hash
    db.session.flush()
    assert chain.verify() == [f"{place(last)}: signed with key id None after a newer key was in use"]
    db.session.rollback()
