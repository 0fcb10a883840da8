"""The kinds of security event (安全审计事件), each with the label the audit page shows. One table, used by the
recorder (unknown codes are refused), the page's filter and the export."""
from __future__ import annotations

from registry.i18n import N_

EVENTS: dict[str, str] = {
    "sign_in": N_("登录成功"),
    "sign_in_failed": N_("登录失败"),
    "sign_out": N_("退出登录"),
    "password_change": N_("修改密码"),
    "password_reset": N_("重置他人密码"),
    "account_create": N_("创建账户"),
    "account_update": N_("修改账户（角色或范围）"),
    "account_deactivate": N_("停用账户"),
    "account_activate": N_("启用账户"),
    "token_create": N_("签发 API 令牌"),
    "token_revoke": N_("吊销 API 令牌"),
    "setting_change": N_("修改系统设置"),
    "setting_reset": N_("恢复默认设置"),
    "catalogue_change": N_("修改目录"),
    "holiday_change": N_("修改节假日与调休"),
    "export": N_("导出数据"),
    "download": N_("下载批量数据"),
    "import": N_("导入数据"),
    "retention_purge": N_("按保留期限清理数据"),
}


def label(code: str) -> str:
    from flask_babel import gettext

    return gettext(EVENTS[code]) if code in EVENTS else code
