"""Form validators shared by every area's forms."""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation


def digits(limit: int = 6):
    """Stop validation of a number with more than ``limit`` digits before NumberRange sees it: a 400-digit
    integer makes wtforms' NaN check overflow, which would be a 500 instead of a form error."""

    def check(_form, field):
        value = field.data
        if value is None:
            return
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) >= 10 ** limit:
            raise StopValidation(_l("数值过大或无效。"))

    return check
