"""The workflows' settings (流程通用, 品字标), declared for the one reader ``registry.settings``."""
from __future__ import annotations

from registry.i18n import N_
from registry.settings import declare

SETTINGS = (
    declare("workflows.reminder_days", int, 2, N_("截止前提醒（工作日）"), minimum=0, maximum=30),
    declare("workflows.outbox_max_attempts", int, 8, N_("通知发送最多尝试次数"), minimum=1, maximum=50),
    # working days the applicant is given to answer a return (补正期限)
    declare("workflows.correction_days", int, 15, N_("退回补正的补正期限（工作日）"), minimum=1, maximum=60),
    declare("pinzibiao.validity_years", int, 3, N_("品字标证书有效期（年）"), minimum=1, maximum=10),
    # calendar days before each yearly surveillance
    declare("pinzibiao.surveillance_notice_days", int, 30, N_("年度监督审核提前提醒（天）"), minimum=0, maximum=365),
    # calendar days before the certificate expires
    declare("pinzibiao.expiry_notice_days", int, 90, N_("证书到期提前提醒（天）"), minimum=0, maximum=730),
)
