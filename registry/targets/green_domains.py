"""Green-product certificates whose domain is legacy free text that names no 绿色产品认证目录 entry.

The 绿色产品认证覆盖领域 rule joins a certificate to the catalogue by the entry's exact name, so these count in no
domain until the bureau corrects them; this lists them with the entry each looks like (after NFKC folding), if any.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import Certification, Enterprise, GreenProductDomain, User
from registry.targets.services import require_viewer


@dataclass(frozen=True)
class Unmapped:
    certification: Certification
    enterprise: Enterprise
    suggestion: str | None  # the active catalogue entry the text folds to, or None


def _fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def unmapped(user: User) -> list[Unmapped]:
    """Every green-product certificate whose ``product_domain`` is not a catalogue entry's name, by enterprise.

    Raises Forbidden unless the user is bureau staff or an administrator."""
    require_viewer(user)
    names = {n for n in db.session.scalars(select(GreenProductDomain.name))}
    active = {_fold(n): n for n in db.session.scalars(select(GreenProductDomain.name)
                                                      .where(GreenProductDomain.active.is_(True)))}
    rows = db.session.execute(
        select(Certification, Enterprise).join(Enterprise, Enterprise.id == Certification.enterprise_id)
        .where(Certification.cert_type == "green_product",
               (Certification.product_domain.is_(None)) | (Certification.product_domain.not_in(names) if names else
                                                            Certification.product_domain.is_not(None)))
        .order_by(Enterprise.name, Certification.issued_on, Certification.id)).all()
    return [Unmapped(cert, enterprise, active.get(_fold(cert.product_domain))) for cert, enterprise in rows]


def still_valid(item: Unmapped, day: date) -> bool:
    """Would the certificate count today if its domain were right (valid on ``day``)?"""
    return item.certification.is_valid_on(day)
