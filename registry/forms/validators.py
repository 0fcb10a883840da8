"""Form validators shared by every area's forms."""
from __future__ import annotations

import math
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation


def digits(limit: int = 6):
    """Stop validation of a number with more than ``limit`` digits before NumberRange sees it: a 400-digit
    integer makes wtforms' NaN check overflow, and a Decimal NaN (DecimalField takes "NaN") raises on any comparison:
    both would be a 500 instead of a form error."""

    def check(_form, field):
        value = field.data
        if value is None:
            return
        finite = value.is_finite() if isinstance(value, Decimal) else not isinstance(value, float) or math.isfinite(value)
        if not finite or abs(value) >= 10 ** limit:
            raise StopValidation(_l("数值过大或无效。"))

    return check
