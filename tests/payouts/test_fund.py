"""The fund: reservation on approval, release on cancellation, disbursement on
payment, and the database constraints that keep it from being overspent."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from claims.models import Status
from payouts import services
from payouts.models import (
    Certificate,
    EntryKind,
    Fund,
    LedgerEntry,
    Payment,
    PaymentStatus,
)
from registry.models import Area, AreaLevel, Role
from relief.errors import PermissionRefused, ServiceError, TransitionRefused
from tests.factories import UserFactory
from tests.journey import claim_at, state_logs


@pytest.fixture
def city_office(staff):
    """A poverty office of the city, the level that may top up the fund."""
    city = Area.objects.get(level=AreaLevel.CITY)
    return UserFactory(username="city-office", role=Role.POVERTY_OFFICE, area=city)


pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(staff, household, policy, fund):
    """A claim whose notice passed, for a payout of 7,100.00 yuan."""
    return claim_at(Status.NOTICE_PASSED, household, staff)


@pytest.fixture
def approved(staff, passed):
    services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)
    return passed


def fund_now() -> Fund:
    return Fund.objects.get()


def entries(kind: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind=kind))


def test_approval_reserves(staff, passed):
    payment = services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert payment.amount == Decimal("7100.00")
    assert payment.status == PaymentStatus.RESERVED
    assert fund_now().reserved == Decimal("7100.00")
    assert fund_now().disbursed == Decimal("0.00")
    [entry] = entries(EntryKind.RESERVATION)
    assert entry.amount == Decimal("7100.00")
    assert entry.payment == payment
    assert entry.created_by == staff.poverty_office


def test_approval_keeps_computation(staff, passed):
    payment = services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert payment.computation["verified_amount"] == "18000.00"
    assert payment.computation["amount"] == "7100.00"
    assert len(payment.computation["slices"]) == 2


def test_remaining_after_approval(staff, passed, fund):
    services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert fund_now().remaining == fund.total - Decimal("7100.00")


def test_cancel_releases(staff, approved):
    payment = services.cancel_approval(
        user=staff.poverty_office, claim_id=approved.pk, note="户主已迁出"
    )

    assert payment.status == PaymentStatus.CANCELLED
    assert fund_now().reserved == Decimal("0.00")
    [entry] = entries(EntryKind.RELEASE)
    assert entry.amount == Decimal("7100.00")
    assert entry.note == "户主已迁出"


def test_cancel_needs_reason(staff, approved):
    with pytest.raises(ServiceError) as raised:
        services.cancel_approval(
            user=staff.poverty_office, claim_id=approved.pk, note=""
        )

    assert raised.value.code == "reason_required"
    assert fund_now().reserved == Decimal("7100.00")


def test_pay_disburses(staff, approved):
    payment = services.mark_paid(
        user=staff.coordinator, claim_id=approved.pk, bank_reference="B20250301"
    )

    assert payment.status == PaymentStatus.PAID
    assert payment.paid_at is not None
    assert payment.bank_reference == "B20250301"
    assert fund_now().reserved == Decimal("0.00")
    assert fund_now().disbursed == Decimal("7100.00")
    [entry] = entries(EntryKind.DISBURSEMENT)
    assert entry.amount == Decimal("7100.00")


def test_pay_twice_pays_once(staff, approved):
    first = services.mark_paid(
        user=staff.coordinator, claim_id=approved.pk, bank_reference="B1"
    )
    logs = state_logs(approved).count()

    second = services.mark_paid(
        user=staff.coordinator, claim_id=approved.pk, bank_reference="B2"
    )

    assert second.pk == first.pk
    assert second.bank_reference == "B1"
    assert len(entries(EntryKind.DISBURSEMENT)) == 1
    assert fund_now().disbursed == Decimal("7100.00")
    assert Certificate.objects.count() == 1
    assert state_logs(approved).count() == logs


def test_pay_again_needs_role(staff, approved):
    services.mark_paid(user=staff.coordinator, claim_id=approved.pk)

    with pytest.raises(PermissionRefused):
        services.mark_paid(user=staff.other_poverty_office, claim_id=approved.pk)


def test_cancelled_not_paid(staff, approved):
    services.cancel_approval(user=staff.poverty_office, claim_id=approved.pk, note="x")

    with pytest.raises(TransitionRefused):
        services.mark_paid(user=staff.coordinator, claim_id=approved.pk)

    assert entries(EntryKind.DISBURSEMENT) == []
    assert fund_now().disbursed == Decimal("0.00")


def test_paid_not_cancelled(staff, approved):
    services.mark_paid(user=staff.coordinator, claim_id=approved.pk)

    with pytest.raises(TransitionRefused):
        services.cancel_approval(
            user=staff.poverty_office, claim_id=approved.pk, note="x"
        )

    assert entries(EntryKind.RELEASE) == []
    assert fund_now().disbursed == Decimal("7100.00")


def test_approval_beyond_fund(staff, passed, fund):
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("7099.99"))
    logs = state_logs(passed).count()

    with pytest.raises(services.FundExhausted) as raised:
        services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert raised.value.code == "fund_exhausted"
    assert raised.value.field == "amount"
    assert raised.value.value == Decimal("7100.00")
    assert "7100.00" in raised.value.message
    assert "7099.99" in raised.value.message
    passed.refresh_from_db()
    assert passed.status == Status.NOTICE_PASSED
    assert state_logs(passed).count() == logs
    assert Payment.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    assert fund_now().reserved == Decimal("0.00")


def test_approval_uses_last_fen(staff, passed, fund):
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("7100.00"))

    services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert fund_now().remaining == Decimal("0.00")


def test_appropriation_tops_up(staff, city_office, passed, fund):
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("7000.00"))

    entry = services.appropriate(
        user=city_office, fund_id=fund.pk, amount="100.00", reference="财预1"
    )
    services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert entry.kind == EntryKind.APPROPRIATION
    assert fund_now().total == Decimal("7100.00")
    assert fund_now().remaining == Decimal("0.00")


def test_database_rejects_overspent_reservation(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(reserved=fund.total + Decimal("0.01"))

    assert fund_now().reserved == Decimal("0.00")


def test_database_rejects_overspent_sum(fund):
    half = fund.total / 2
    Fund.objects.filter(pk=fund.pk).update(reserved=half, disbursed=half)

    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(disbursed=F("disbursed") + 1)


def test_database_rejects_negative_reserve(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(reserved=Decimal("-0.01"))


def test_one_payment_per_claim(staff, approved, fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            claim=approved,
            fund=fund,
            amount=Decimal("1.00"),
            approved_by=staff.poverty_office,
        )

    assert Payment.objects.count() == 1


def test_one_entry_per_payment_kind(staff, approved, fund):
    payment = Payment.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            fund=fund,
            kind=EntryKind.RESERVATION,
            amount=payment.amount,
            payment=payment,
        )

    assert len(entries(EntryKind.RESERVATION)) == 1


def test_second_approval_rejected(staff, approved):
    with pytest.raises(TransitionRefused):
        services.approve_claim(user=staff.poverty_office, claim_id=approved.pk)

    assert Payment.objects.count() == 1
    assert fund_now().reserved == Decimal("7100.00")


def test_nothing_to_pay(staff, household, policy, fund):
    # 4,000 yuan is within the 5,000 deductible.
    claim = claim_at(Status.NOTICE_PASSED, household, staff, verified_amount="4000")

    with pytest.raises(services.NothingToPay) as raised:
        services.approve_claim(user=staff.poverty_office, claim_id=claim.pk)

    assert raised.value.field == "verified_amount"
    assert "4000.00" in raised.value.message
    claim.refresh_from_db()
    assert claim.status == Status.NOTICE_PASSED
    assert Payment.objects.count() == 0


def test_fund_missing(staff, passed, fund):
    LedgerEntry.objects.all().delete()
    fund.delete()

    with pytest.raises(services.FundMissing) as raised:
        services.approve_claim(user=staff.poverty_office, claim_id=passed.pk)

    assert str(passed.policy_year) in raised.value.message
    passed.refresh_from_db()
    assert passed.status == Status.NOTICE_PASSED
