"""Resident ID numbers: length, birth date, the mod 11-2 check character,
normalisation of x and full-width digits, and masking."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from stdnum.cn import ric

from registry.idnumbers import build_id_number, mask_id_number, normalize_id_number
from registry.models import Member
from tests.factories import make_household

BIRTH = datetime.date(1975, 3, 14)
VALID = build_id_number("349901", BIRTH, 123)


def with_check(body: str) -> str:
    """Append the correct check character to 17 characters."""
    return body + ric.calc_check_digit(body + "0")


def ending_in_x() -> str:
    """Return a valid number whose check character is X."""
    for sequence in range(1000):
        number = build_id_number("349901", BIRTH, sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives the check character X")


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


def rejection(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(value)
    return raised.value


def test_valid_number_accepted():
    assert normalize_id_number(VALID) == VALID


def test_check_character_mod_11_2():
    # The 17 digits are weighted 2^(17-i) mod 11. The check is (12 - sum) mod 11,
    # written as 0-9 or X for 10.
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(
        int(digit) * weight for digit, weight in zip(VALID[:17], weights, strict=True)
    )

    assert VALID[-1] == "0123456789X"[(12 - total % 11) % 11]


def test_lowercase_x_upper_cased():
    number = ending_in_x()

    assert normalize_id_number(number.lower()) == number


def test_full_width_digits_accepted():
    assert normalize_id_number(full_width(VALID)) == VALID


def test_full_width_x_accepted():
    number = ending_in_x()

    assert normalize_id_number(full_width(number.lower())) == number


def test_spaces_removed():
    spaced = f" {VALID[:6]} {VALID[6:14]} {VALID[14:]} "

    assert normalize_id_number(spaced) == VALID


@pytest.mark.parametrize("value", [VALID[:17], VALID + "1"])
def test_wrong_length_rejected(value):
    error = rejection(value)

    assert error.code == "id_length"
    assert value in error.messages[0]


def test_empty_rejected():
    assert rejection("").code == "id_length"


@pytest.mark.parametrize("value", ["X" + VALID[1:], VALID[:10] + "A" + VALID[11:]])
def test_letters_in_body_rejected(value):
    error = rejection(value)

    assert error.code == "id_format"
    assert value in error.messages[0]


def test_wrong_check_character_rejected():
    wrong = VALID[:-1] + ("1" if VALID[-1] != "1" else "2")

    error = rejection(wrong)

    assert error.code == "id_checksum"
    assert wrong in error.messages[0]


def test_feb_29_non_leap_rejected():
    value = with_check("349901" + "20230229" + "123")

    error = rejection(value)

    assert error.code == "id_birth_date"
    assert value in error.messages[0]


def test_feb_29_leap_accepted():
    value = with_check("349901" + "20240229" + "123")

    assert normalize_id_number(value) == value


@pytest.mark.parametrize("date", ["19751314", "19750432", "19750000"])
def test_impossible_date_rejected(date):
    assert rejection(with_check("349901" + date + "123")).code == "id_birth_date"


def test_future_birth_rejected():
    later = timezone.localdate() + datetime.timedelta(days=2)

    error = rejection(build_id_number("349901", later, 123))

    assert error.code == "id_birth_date"


def test_birth_before_1880_rejected():
    value = with_check("349901" + "18791231" + "123")

    assert rejection(value).code == "id_birth_date"


def test_mask_keeps_six_and_four():
    masked = mask_id_number(VALID)

    assert masked == VALID[:6] + "*" * 8 + VALID[-4:]


def test_mask_short_value_hides_all():
    assert mask_id_number("1234567890") == "*" * 10


@pytest.mark.django_db
def test_member_masked_id(village):
    member = make_household(village, members=1).members.get()

    assert member.masked_id_number == mask_id_number(member.id_number)
    assert member.id_number[6:14] not in member.masked_id_number


@pytest.mark.django_db
def test_member_stores_upper_x(village):
    household = make_household(village, members=1)
    number = ending_in_x()
    member = Member(
        household=household, name="赵六", id_number=number.lower(), relation="spouse"
    )

    member.full_clean()
    member.save()

    member.refresh_from_db()
    assert member.id_number == number


@pytest.mark.django_db
def test_member_stores_ascii_digits(village):
    household = make_household(village, members=1)
    number = ending_in_x()
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in number)
    member = Member(
        household=household, name="钱七", id_number=full_width, relation="spouse"
    )

    member.save()

    member.refresh_from_db()
    assert member.id_number == number


@pytest.mark.django_db
def test_unnormalised_id_refused_by_database(village):
    household = make_household(village, members=1)
    member = household.members.get()

    with pytest.raises(IntegrityError):
        Member.objects.filter(pk=member.pk).update(
            id_number=member.id_number[:17] + "x"
        )
