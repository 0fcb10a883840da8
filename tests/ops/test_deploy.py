"""The deployment files stay in step with the code: the environment template lists every setting config.py reads,
the worker units consume the queues the app sends to, exactly one beat, and the runbook's wrapper reads the
template's format."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"


class _Recording(dict):
    """os.environ stand-in that remembers every key config.py asks for."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def _keys_config_reads(monkeypatch) -> set[str]:
    asked: set[str] = set()
    for profile in config.CONFIGS:
        env = _Recording({"REGISTRY_ENV": profile})
        monkeypatch.setattr(os, "environ", env)
        config.load_config()
        asked |= env.asked
    monkeypatch.undo()
    return asked


def _template_keys() -> set[str]:
    text = (DEPLOY / "registry.env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_the_environment_template_lists_every_setting_config_reads(monkeypatch):
    read = _keys_config_reads(monkeypatch)
    assert {"DATABASE_URL", "SECRET_KEY", "TRUSTED_PROXIES", "LOG_FORMAT"} <= read  # the recorder works
    missing = read - _template_keys()
    assert not missing, f"add to deploy/registry.env.example, with what each means: {sorted(missing)}"


def test_every_template_line_is_a_setting_or_a_comment():
    for line in (DEPLOY / "registry.env.example").read_text().splitlines():
        assert not line.strip() or line.startswith("#") or re.match(r"^[A-Z][A-Z0-9_]+=\S*$", line), line


def test_the_wrapper_reads_the_template_as_systemd_would(tmp_path):
    """deploy/registry-flask sources the environment file: the template's values come through intact."""
    env_file = tmp_path / "registry.env"
    env_file.write_text((DEPLOY / "registry.env.example").read_text().replace("SECRET_KEY=\n", "SECRET_KEY=s\n"))
    fake = tmp_path / "app"
    (fake / "deploy").mkdir(parents=True)
    (fake / ".venv" / "bin").mkdir(parents=True)
    (fake / "deploy" / "registry-flask").write_bytes((DEPLOY / "registry-flask").read_bytes())
    (fake / ".venv" / "bin" / "flask").write_text("#!/bin/sh\nenv\n")
    os.chmod(fake / "deploy" / "registry-flask", 0o755)
    os.chmod(fake / ".venv" / "bin" / "flask", 0o755)
    done = subprocess.run([str(fake / "deploy" / "registry-flask"), "init"], env={"REGISTRY_ENV_FILE": str(env_file),
                          "PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert seen["REGISTRY_ENV"] == "production" and seen["TRUSTED_PROXIES"] == "1"
    assert seen["CELERY_QUEUE"] == "registry" and seen["SECRET_KEY"] == "s"


def _unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def test_worker_units_consume_the_queues_the_app_sends_to():
    try:
        from registry.queues import KINDS, queue_name
    except ImportError:  # before the queues split: one queue per installation
        pytest.skip("registry.queues not on this branch yet")
    worker = _unit("registry-worker@.service")
    assert "-Q ${CELERY_QUEUE}.%i " in worker and queue_name("${CELERY_QUEUE}", "%i") == "${CELERY_QUEUE}.%i"
    target = _unit("registry.target")
    assert sorted(re.findall(r"registry-worker@(\w+)\.service", target)) == sorted(KINDS)


def test_exactly_one_beat_and_units_read_the_environment_file():
    units = sorted(p.name for p in (DEPLOY / "systemd").iterdir())
    assert [u for u in units if "beat" in u] == ["registry-beat.service"]  # not a template: one per installation
    assert "registry-beat" not in _unit("registry.target")  # enabled on one node only, by hand
    for name in ("registry-web.service", "registry-worker@.service", "registry-beat.service"):
        text = _unit(name)
        assert "EnvironmentFile=/etc/registry/registry.env" in text and "User=registry" in text
    assert "gunicorn -c deploy/gunicorn.conf.py" in _unit("registry-web.service")


def test_gunicorn_config_takes_its_values_from_config_py(monkeypatch):
    monkeypatch.setenv("WEB_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "6")
    code = ("import runpy, json; c = runpy.run_path('deploy/gunicorn.conf.py'); "
            "print(json.dumps([c['bind'], c['workers'], c['threads'], c['worker_class'], c['forwarded_allow_ips']]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["127.0.0.1:8123", 3, 6, "gthread", ""]'


def test_a_file_missing_from_this_nodes_storage_is_a_clear_404(app, tmp_path, caplog):
    from registry.downloads import MISSING_FILE, send_download
    from registry.services.errors import NotFound

    with app.test_request_context("/"):
        with pytest.raises(NotFound) as refused:
            send_download(str(tmp_path / "uploads" / "abc.pdf"), "报告.pdf")
    assert refused.value.message == MISSING_FILE
    assert "shared by every node" in caplog.text and str(tmp_path / "uploads") in caplog.text
