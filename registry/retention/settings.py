"""How long each kind of row or file is kept (days), administrator-editable on 系统设置 (area 数据保留).

The audit trail's floor is the Cybersecurity Law's six months (网络安全法第二十一条: logs kept no less than six
months): the setting refuses a value below ``AUDIT_FLOOR_DAYS`` (bounds in ``registry.services.settings``), and
the purge never goes below it either.
"""
from __future__ import annotations

from typing import Any

AUDIT_FLOOR_DAYS = 180

DEFAULTS: dict[str, Any] = {
    "retention.audit_days": 365,  # security audit rows (at least AUDIT_FLOOR_DAYS)
    "retention.expired_sessions_days": 1,  # sign-in sessions, counted from when they expired (idle timeout)
    "retention.delivered_outbox_days": 30,  # delivered notification jobs (pending, failed and set-aside ones stay)
    "retention.read_notifications_days": 180,  # in-app messages read this long ago (unread ones stay)
    "retention.export_files_days": 7,  # finished background exports and their files
    "retention.attachment_versions_days": 365,  # superseded attachment versions, once the application is closed
}
