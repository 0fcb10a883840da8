"""registry.forms.validators.digits: a number that is not finite (float or Decimal, quiet or signalling NaN) or too
long stops validation with a form error; NumberRange would raise on it (a 500, found by the junk-input walk with
"NaN" in the award round's DecimalField)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from wtforms.validators import StopValidation

from registry.forms.validators import digits


class _Field:
    def __init__(self, data):
        self.data = data


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), float("nan"), float("-inf"),
                                   10 ** 400, Decimal("1e400")])
def test_not_finite_or_too_long_stops_with_a_message(app, value):
    with app.test_request_context(), pytest.raises(StopValidation):
        digits()(None, _Field(value))


@pytest.mark.parametrize("value", [None, 0, 5, Decimal("3.5"), 999999.0, Decimal("-12")])
def test_ordinary_numbers_pass(app, value):
    with app.test_request_context():
        digits()(None, _Field(value))
