"""Backup and restore (issue 10, item 7): install + demo data + workflow actions with uploads -> ``backup create``
-> ``backup restore`` into a fresh database and a fresh instance folder -> the same rows in every table, the same
bytes in every attachment, the history chain intact, the enterprise page served. On the session's backend
(PostgreSQL with DATABASE_URL set: pg_dump/pg_restore; otherwise SQLite: the online backup API), by the real CLI.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests import services
from tests.ops.backup_world import PASSWORD
from tests.ops.private_services import ROOT, WebProcess, service_env

pytestmark = pytest.mark.usefixtures("app")


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "registry", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                    for name in sa.inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def attachment_rows(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT stored_name, sha256 FROM attachments ORDER BY id"))]
    finally:
        engine.dispose()


class Site:
    """An installation: a fresh database on the session's backend and a fresh instance folder."""

    def __init__(self, stack: ExitStack, service_urls: dict, name: str):
        self.dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"registry-{name}-")))
        self.url = stack.enter_context(services.test_database(str(self.dir)))
        self.instance = self.dir / "instance"
        self.env = service_env(self.url, service_urls["redis"], str(self.instance),
                               f"{service_urls['queue']}-{name}-{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def saved(service_urls):
    """A source installation with its world, and its backup folder."""
    with ExitStack() as stack:
        source = Site(stack, service_urls, "source")
        world = subprocess.run([sys.executable, "-m", "tests.ops.backup_world"], cwd=ROOT, env=source.env,
                               capture_output=True, text=True, timeout=900)
        assert world.returncode == 0, world.stderr[-4000:]
        facts = json.loads(world.stdout.strip().splitlines()[-1])
        folder = source.dir / "backup"
        made = flask(source.env, "backup", "create", str(folder))
        assert made.returncode == 0, made.stderr[-3000:]
        print("\n" + made.stdout.strip())
        yield source, facts, folder, stack


def copy_of(folder: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "backup-copy"
    shutil.copytree(folder, target)
    return target


def test_restore_into_a_fresh_installation_is_the_same(service_urls, saved, tmp_path):
    source, facts, folder, _ = saved
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["revision"] and manifest["created_at"] and manifest["tables"]["transitions"] >= 2
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert any(name.startswith("files/uploads/") for name in manifest["files"])
    assert any(name.startswith("files/exports/targets/") for name in manifest["files"])

    with ExitStack() as stack:
        target = Site(stack, service_urls, "target")
        restored = flask(target.env, "backup", "restore", str(folder))
        assert restored.returncode == 0, restored.stderr[-3000:]

        before, after = counts(source.url), counts(target.url)
        assert after == before and before["attachments"] == 2 and before["enterprises"] >= 20
        rows = attachment_rows(target.url)
        assert rows == attachment_rows(source.url)
        for stored, digest in rows:
            restored_bytes = (target.instance / "uploads" / stored).read_bytes()
            assert restored_bytes == (source.instance / "uploads" / stored).read_bytes()
            assert hashlib.sha256(restored_bytes).hexdigest() == digest
        exports = sorted(p.name for p in (target.instance / "exports" / "targets").iterdir())
        assert exports == ["规划指标-2026-12-04.xlsx"]

        chain = flask(target.env, "workflows", "verify-chain")
        assert chain.returncode == 0 and "intact" in chain.stdout, chain.stdout + chain.stderr

        web = WebProcess(target.env, target.dir)
        try:
            web.start()
            session = requests.Session()
            session.trust_env = False
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                              session.get(web.url + "/login", timeout=10).text).group(1)
            signed_in = session.post(web.url + "/login", data={"email": "backup-bureau@linhai.example",
                                                               "password": PASSWORD, "csrf_token": token},
                                     allow_redirects=False, timeout=30)
            assert signed_in.status_code == 302, signed_in.text[:500]
            page = session.get(f"{web.url}/enterprises/{facts['enterprise_id']}", timeout=30)
            assert page.status_code == 200 and facts["enterprise_name"] in page.text
            application = session.get(f"{web.url}/applications/{facts['application_id']}", timeout=30)
            assert application.status_code == 200 and "自评价报告.pdf" in application.text
        finally:
            web.stop()

        again = flask(target.env, "backup", "restore", str(folder))
        assert again.returncode != 0 and "not empty" in again.stderr


def test_a_changed_file_or_another_revision_is_refused(service_urls, saved, tmp_path):
    _, _, folder, _ = saved
    with ExitStack() as stack:
        target = Site(stack, service_urls, "refused")

        changed = copy_of(folder, tmp_path)
        upload = next((changed / "files" / "uploads").iterdir())
        upload.write_bytes(upload.read_bytes() + b"!")
        refused = flask(target.env, "backup", "restore", str(changed))
        assert refused.returncode != 0
        assert f"file changed since the backup was made (sha256 differs): files/uploads/{upload.name}" in refused.stderr

        other = tmp_path / "other-revision"
        import shutil

        shutil.copytree(folder, other)
        manifest = json.loads((other / "manifest.json").read_text())
        manifest["revision"] = "0003"
        (other / "manifest.json").write_text(json.dumps(manifest))
        refused = flask(target.env, "backup", "restore", str(other))
        assert refused.returncode != 0 and "migration revision '0003'" in refused.stderr, refused.stderr

        assert counts(target.url) == {}  # nothing was written
        assert not (target.instance / "uploads").exists() or not any((target.instance / "uploads").iterdir())
