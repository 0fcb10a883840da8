"""Disk full under uploads and exports (reliability.md, "Background work"): uploads and exports go to a 1 MB tmpfs
this test mounts (root only) as ``UPLOAD_DIR`` and ``EXPORT_DIR``. Uploads are made until the disk is full; a full
disk is then met by an attachment, an Excel import upload and a targets export job. Figures: a clear message each
time (the attachment and the import name the ``file`` field; the export job says it on the job), orphan files 0
(every file on the disk has its row, no temporary file left), half rows 0 (every row's file is there, whole), and
once space is freed the same export succeeds."""
from __future__ import annotations

import io
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.excel.uploads import store_upload
from registry.extensions import db
from registry.files import DISK_FULL, TEMP_PREFIX
from registry.services.errors import ValidationFailed
from registry.targets import jobs
from registry.targets.models import TargetExport
from workflows.models import Attachment
from workflows.services import attachments

PDF = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"


@pytest.fixture
def full_disk(app, tmp_path, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(mount / "uploads"))
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(mount / "exports"))
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()}


def _fill(path: Path) -> None:
    """Take whatever space is left."""
    with open(path, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_gives_a_clear_message_and_leaves_no_orphan_file_and_no_half_row(app, cast, draft, full_disk,
                                                                                    make_user):
    application = draft()
    refused = None
    stored = 0
    for _ in range(20):  # 200 KB each into 1 MB: full within 5
        try:
            attachments.upload(cast.applicant, application.id, "evidence", "证明.pdf", PDF)
            stored += 1
        except ValidationFailed as exc:
            refused = exc
            break
    assert refused is not None and refused.errors == {"file": [DISK_FULL]}
    _fill(full_disk / "filler")  # what little is left, so that the small files below meet a full disk too

    with pytest.raises(ValidationFailed) as imported:
        store_upload("名录.xlsx", io.BytesIO(b"PK\x03\x04" + b"0" * 4096))
    assert imported.value.errors == {"file": [DISK_FULL]}

    db.session.add(TargetExport(user_id=make_user("bureau").id, as_of=date(2024, 6, 30), status="pending"))
    db.session.commit()
    job_id = db.session.scalar(select(TargetExport.id))
    assert jobs.run_export(job_id) == "failed"
    assert db.session.get(TargetExport, job_id).error == DISK_FULL

    db.session.rollback()
    rows = list(db.session.scalars(select(Attachment)))
    on_disk = _files(full_disk) - {"filler"}
    orphans = on_disk - {row.stored_name for row in rows}
    half_rows = [row.id for row in rows if not (full_disk / "uploads" / row.stored_name).is_file()
                 or (full_disk / "uploads" / row.stored_name).stat().st_size != row.size]
    assert (len(rows), orphans, half_rows) == (stored, set(), [])
    assert not [name for name in on_disk if name.startswith(TEMP_PREFIX)]

    (full_disk / "filler").unlink()  # the administrator frees space (and grows the disk); the export is tried again
    subprocess.run(["mount", "-o", "remount,size=4m", str(full_disk)], check=True)
    assert jobs.run_export(job_id) == "done", db.session.get(TargetExport, job_id).error
    job = db.session.get(TargetExport, job_id)
    assert (full_disk / "exports" / "targets" / job.file_name).stat().st_size > 0
    print(f"\ndisk full (1 MB tmpfs): {stored} uploads stored, then refused with {DISK_FULL!r} (attachment, import "
          f"upload, export job); orphan files {len(orphans)}, half rows {len(half_rows)}, temporary files 0; the "
          f"export done once space was freed")
