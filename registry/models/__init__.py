"""Every model, re-exported so Alembic and callers see one namespace."""
from registry.models.accounts import ROLES, ApiToken, User, UserSession  # noqa: F401
from registry.models.benefit import BenefitGrade  # noqa: F401
from registry.models.catalogues import (CertificationBody, GreenProductDomain, Industry,  # noqa: F401
                                        Jurisdiction)
from registry.models.certifications import Certification  # noqa: F401
from registry.models.compliance import CreditRecord, IncidentRecord  # noqa: F401
from registry.models.enterprise import Enterprise  # noqa: F401
from registry.models.history import ChangeLog  # noqa: F401
from registry.models.honours import Honour  # noqa: F401
from registry.models.patents import Patent  # noqa: F401
from registry.models.projects import Project  # noqa: F401
from registry.models.settings import Setting  # noqa: F401
from registry.models.standards import Standard, StandardDrafter  # noqa: F401
from registry.models.trademarks import Trademark  # noqa: F401
from registry.models.heartbeat import Heartbeat  # noqa: F401
from registry.models.gi_products import GiProduct  # noqa: F401
