"""Top-ups of the fund: who may add money, how much, and against which document."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from payouts.models import EntryKind, Fund, LedgerEntry
from payouts.money import MAX_AMOUNT
from payouts.services import appropriate
from registry.models import Area, AreaLevel, Role
from relief.errors import PermissionRefused, ServiceError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_office(areas):
    city = Area.objects.get(level=AreaLevel.CITY, code="349900000000")
    return UserFactory(username="city-office", role=Role.POVERTY_OFFICE, area=city)


def test_city_office_tops_up(city_office, fund):
    entry = appropriate(
        user=city_office, fund_id=fund.pk, amount="100.00", reference="财预1"
    )

    assert entry.kind == EntryKind.APPROPRIATION
    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500100.00")


def test_county_office_refused(staff, fund):
    with pytest.raises(PermissionRefused):
        appropriate(
            user=staff.poverty_office, fund_id=fund.pk, amount="1.00", reference="D"
        )

    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500000.00")
    assert not LedgerEntry.objects.exists()


def test_total_overflow_refused(city_office, fund):
    amount = "999999999999.99"

    with pytest.raises(ServiceError) as caught:
        appropriate(user=city_office, fund_id=fund.pk, amount=amount, reference="D")

    assert caught.value.field == "amount"
    assert amount in caught.value.message
    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500000.00")
    assert not LedgerEntry.objects.exists()


def test_total_up_to_max_allowed(city_office, fund):
    amount = MAX_AMOUNT - Decimal("4500000.00")

    appropriate(user=city_office, fund_id=fund.pk, amount=str(amount), reference="D")

    assert Fund.objects.get(pk=fund.pk).total == MAX_AMOUNT


def test_duplicate_reference_refused(city_office, fund):
    appropriate(user=city_office, fund_id=fund.pk, amount="10.00", reference="财预1")

    with pytest.raises(ServiceError) as caught:
        appropriate(
            user=city_office, fund_id=fund.pk, amount="10.00", reference=" 财预1 "
        )

    assert caught.value.code == "duplicate_reference"
    assert "财预1" in caught.value.message
    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500010.00")
    assert LedgerEntry.objects.count() == 1


def test_same_reference_other_fund_allowed(city_office, fund):
    other = Fund.objects.create(year=fund.year + 1, name="next", total=Decimal("0"))
    appropriate(user=city_office, fund_id=fund.pk, amount="10.00", reference="财预1")

    appropriate(user=city_office, fund_id=other.pk, amount="10.00", reference="财预1")

    assert LedgerEntry.objects.filter(reference="财预1").count() == 2


def test_database_rejects_duplicate_reference(city_office, fund):
    appropriate(user=city_office, fund_id=fund.pk, amount="10.00", reference="财预1")

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            fund=fund,
            kind=EntryKind.APPROPRIATION,
            amount=Decimal("10.00"),
            reference="财预1",
        )


def test_county_office_sees_no_form(client, staff, fund):
    client.force_login(staff.poverty_office)

    page = client.get(f"/payouts/funds/{fund.pk}/")
    posted = client.post(
        f"/payouts/funds/{fund.pk}/", {"amount": "100.00", "reference": "县财1号"}
    )

    assert page.status_code == 200
    assert page.context["form"] is None
    assert posted.status_code == 403
    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500000.00")


def test_city_office_sees_form(client, city_office, fund):
    client.force_login(city_office)

    page = client.get(f"/payouts/funds/{fund.pk}/")

    assert page.context["form"] is not None
