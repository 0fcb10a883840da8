"""An import job (导入任务): one uploaded .xlsx, its preview, and the outcome of its all-or-nothing commit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flask_babel import lazy_gettext as _l

from registry.extensions import db
from registry.models.base import utcnow
from registry.vocab import Vocab

# draft: stored, not yet checked; previewed: checked, waiting for the user's confirmation;
# queued/running: committing in the background; committed / failed: final.
STATUS_DRAFT = "draft"
STATUS_PREVIEWED = "previewed"
STATUS_QUEUED = "queued"
STATUS_RUNNING = "running"
STATUS_COMMITTED = "committed"
STATUS_FAILED = "failed"
FINAL_STATUSES = (STATUS_COMMITTED, STATUS_FAILED)
IMPORT_STATUSES = Vocab(draft=_l("检查中"), previewed=_l("待确认"), queued=_l("排队中"), running=_l("导入中"),
                        committed=_l("已导入"), failed=_l("未导入"))


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # "enterprises" or a record kind slug
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for display only
    stored_path: Mapped[str] = mapped_column(String(500))  # generated name under UPLOAD_DIR
    status: Mapped[str] = mapped_column(String(16), default=STATUS_DRAFT, index=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)  # rows with an error or a duplicate
    preview: Mapped[dict | None] = mapped_column(JSON)  # see registry.excel.importer.Preview.as_json
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES
