"""How long each kind of row or file is kept (days), administrator-editable on 系统设置 (area 数据保留).

The audit trail's floor is the Cybersecurity Law's six months (网络安全法第二十一条: logs kept no less than six
months): the setting refuses a value below ``AUDIT_FLOOR_DAYS`` (its declared minimum), and
the purge never goes below it either.
"""
from __future__ import annotations

from registry.i18n import N_
from registry.settings import declare

AUDIT_FLOOR_DAYS = 180

SETTINGS = (
    # security audit rows: the law's floor, refused below
    declare("retention.audit_days", int, 365, N_("安全审计记录保留天数（不少于 180 天）"), minimum=AUDIT_FLOOR_DAYS,
            maximum=3650),
    # sign-in sessions, counted from when they expired (idle timeout)
    declare("retention.expired_sessions_days", int, 1, N_("过期登录会话保留天数"), minimum=0, maximum=365),
    # delivered notification jobs (pending, failed and set-aside ones stay)
    declare("retention.delivered_outbox_days", int, 30, N_("已送达消息任务保留天数"), minimum=1, maximum=3650),
    # in-app messages read this long ago (unread ones stay)
    declare("retention.read_notifications_days", int, 180, N_("已读站内消息保留天数"), minimum=1, maximum=3650),
    # finished background exports and their files
    declare("retention.export_files_days", int, 7, N_("后台导出文件保留天数"), minimum=1, maximum=365),
    # superseded attachment versions, once the application is closed
    declare("retention.attachment_versions_days", int, 365, N_("已结束申报的旧版附件保留天数"), minimum=30, maximum=3650),
)
