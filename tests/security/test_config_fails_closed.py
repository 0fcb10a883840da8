"""Configuration fails closed (issue 9, item 7): a mistyped profile or a short production secret stops start-up."""
from __future__ import annotations

import pytest

from config import CONFIGS, MIN_SECRET_BYTES, ConfigError, check_production_safety, load_config

PRODUCTION_SERVICES = {"DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://127.0.0.1:6379/0"}
GOOD_SECRET = "s" * MIN_SECRET_BYTES


@pytest.mark.parametrize("name", ["prod", "Production", "PRODUCTION", "staging", "test", "dev", "productionx"])
def test_an_unknown_profile_refuses_to_start_and_names_the_valid_ones(monkeypatch, name):
    monkeypatch.setenv("REGISTRY_ENV", name)
    with pytest.raises(ConfigError) as refused:
        load_config()
    message = str(refused.value)
    assert repr(name) in message
    for valid in CONFIGS:
        assert valid in message


def test_an_unknown_profile_refuses_create_app(monkeypatch):
    from registry import create_app

    monkeypatch.setenv("REGISTRY_ENV", "prod")
    with pytest.raises(ConfigError):
        create_app()


@pytest.mark.parametrize("name", ["development", "testing", "production", " production "])
def test_the_known_profiles_load(monkeypatch, name):
    monkeypatch.setenv("REGISTRY_ENV", name)
    assert load_config()["ENV_NAME"] == name.strip()


def test_an_unset_or_blank_profile_is_development(monkeypatch):
    monkeypatch.delenv("REGISTRY_ENV", raising=False)
    assert load_config()["ENV_NAME"] == "development"
    monkeypatch.setenv("REGISTRY_ENV", "")
    assert load_config()["ENV_NAME"] == "development"


def _production(monkeypatch, secret_key, audit_key):
    monkeypatch.setenv("REGISTRY_ENV", "production")
    for key, value in PRODUCTION_SERVICES.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SECRET_KEY", secret_key)
    monkeypatch.setenv("AUDIT_HMAC_KEY", audit_key)
    return load_config()


@pytest.mark.parametrize("short", ["a", "x" * (MIN_SECRET_BYTES - 1), "短" * 10])  # 10 CJK chars = 30 bytes
@pytest.mark.parametrize("which", ["SECRET_KEY", "AUDIT_HMAC_KEY"])
def test_production_refuses_a_short_secret(monkeypatch, which, short):
    keys = {"SECRET_KEY": GOOD_SECRET, "AUDIT_HMAC_KEY": GOOD_SECRET, which: short}
    settings = _production(monkeypatch, keys["SECRET_KEY"], keys["AUDIT_HMAC_KEY"])
    with pytest.raises(ConfigError) as refused:
        check_production_safety(settings)
    assert which in str(refused.value) and str(MIN_SECRET_BYTES) in str(refused.value)


def test_production_accepts_32_byte_secrets(monkeypatch):
    check_production_safety(_production(monkeypatch, GOOD_SECRET, "短" * 11))  # 33 bytes of UTF-8
