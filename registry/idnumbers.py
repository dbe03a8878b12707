"""Resident ID numbers (GB 11643-1999): validation and masking.

python-stdnum computes the check character and reads the birth date. Its own
``validate`` also looks the first six digits up in a table of real counties,
which this service does not do: counties are renumbered over the years and a
household's number keeps the code of the place it was issued.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

ID_NUMBER_LENGTH = 18


def normalize_id_number(value: str) -> str:
    """Return the ID number upper-cased, with full-width digits made ASCII.

    Raise ValidationError naming the value unless it has 18 characters, 17
    digits and a real birth date, and ends with the mod 11-2 check character.
    """
    number = _compact(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise _invalid(value, _("it must have 18 characters"), "id_length")
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise _invalid(value, _("only digits and a final X are allowed"), "id_format")
    try:
        birth_date = ric.get_birth_date(number)
    except InvalidComponent:
        raise _invalid(
            value, _("the birth date does not exist"), "id_birth_date"
        ) from None
    if birth_date > timezone.localdate() or birth_date < datetime.date(1880, 1, 1):
        raise _invalid(value, _("the birth date is out of range"), "id_birth_date")
    if ric.calc_check_digit(number) != number[-1]:
        raise _invalid(value, _("the check character is wrong"), "id_checksum")
    return number


def validate_id_number(value: str) -> None:
    """Model field validator: raise ValidationError for an invalid ID number."""
    normalize_id_number(value)


def mask_id_number(value: str) -> str:
    """Return the ID number with all but its first 6 and last 4 characters hidden."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def birth_date_of(number: str) -> datetime.date:
    return ric.get_birth_date(number)


def _compact(value: str) -> str:
    text = (value or "").strip().replace(" ", "")
    # Full-width digits and letters (U+FF10..) come from some department files.
    text = "".join(
        chr(ord(char) - 0xFEE0) if "\uff01" <= char <= "\uff5e" else char
        for char in text
    )
    return text.upper()


def _invalid(value: str, reason: str, code: str) -> ValidationError:
    return ValidationError(
        _("Invalid ID number %(value)s: %(reason)s."),
        code=code,
        params={"value": value, "reason": reason},
    )


def build_id_number(area_prefix: str, birth_date: datetime.date, sequence: int) -> str:
    """Compose a valid ID number from a 6-digit area, a birth date and a 3-digit
    sequence (odd for men, even for women), adding the check character."""
    body = f"{area_prefix}{birth_date:%Y%m%d}{sequence:03d}"
    if len(body) != 17 or not body.isdigit():
        raise ValueError(f"cannot build an ID number from {body!r}")
    return body + ric.calc_check_digit(body + "0")
