"""Parsing and rounding of yuan amounts. Money is Decimal, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from relief.errors import ServiceError

FEN = Decimal("0.01")
# The largest value of a money column: 14 digits, 2 of them decimal places.
MAX_AMOUNT = Decimal("999999999999.99")


class InvalidAmount(ServiceError):
    code = "invalid_amount"


def parse_amount(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    """Return ``value`` as yuan with two places.

    Raise InvalidAmount naming the field and value for text that is not a
    number, a float (which cannot hold fen exactly), a negative amount, one
    above ``MAX_AMOUNT``, more than two decimal places, or zero unless
    ``allow_zero``.
    """
    if isinstance(value, float):
        raise InvalidAmount(
            _("%(field)s must be given as a decimal, not a float: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        )
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidAmount(
            _("%(field)s is not a number: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        ) from None
    if not amount.is_finite():
        raise InvalidAmount(
            _("%(field)s is not a number: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        )
    if amount < 0:
        raise InvalidAmount(
            _("%(field)s must not be negative: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        )
    if amount > MAX_AMOUNT:
        raise InvalidAmount(
            _("%(field)s must be at most %(max)s: %(value)s")
            % {"field": field, "max": MAX_AMOUNT, "value": value},
            field=field,
            value=value,
        )
    if amount != amount.quantize(FEN):
        raise InvalidAmount(
            _("%(field)s has more than two decimal places: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        )
    if amount == 0 and not allow_zero:
        raise InvalidAmount(
            _("%(field)s must be greater than zero: %(value)s")
            % {"field": field, "value": value},
            field=field,
            value=value,
        )
    return amount.quantize(FEN)


def round_fen(amount: Decimal) -> Decimal:
    """Round half-up to the fen; the one rounding step of every computation."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
