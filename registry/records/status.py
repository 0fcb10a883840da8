"""Statuses computed on a day, as people read them: the one function the pages and the exports both call, so a
certificate that expired years ago says 已过期 on the enterprise page and in the workbook alike."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from registry.vocab import Vocab

# The status a certificate has on a day (Certification.status_on), as people read it.
CERT_STATUS = Vocab(valid=_l("有效"), expired=_l("已过期"), suspended=_l("已暂停"), revoked=_l("已撤销"),
                    cancelled=_l("已注销"), not_yet_issued=_l("未生效"))


def certificate_status(certificate, day: date) -> tuple[str, str]:
    """(code, label) of ``certificate``'s status in force on ``day`` (a recorded end wins; past expiry: expired)."""
    code = certificate.status_on(day)
    return code, CERT_STATUS.label(code)
