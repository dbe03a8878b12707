"""Bad input on a claim's path: each gets a message naming the field and the
value, and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims import services
from claims.models import Claim, ClaimDocument, Deliberation, Status
from payouts import services as payouts
from payouts.models import Fund, LedgerEntry, Payment
from payouts.money import InvalidAmount, parse_amount
from registry.models import Member
from relief.errors import ServiceError, TransitionRefused
from tests.journey import claim_at
from verification import services as verification
from verification.models import Verification

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "claims": Claim.objects.count(),
        "documents": ClaimDocument.objects.count(),
        "logs": StateLog.objects.count(),
        "members": Member.objects.count(),
        "deliberations": Deliberation.objects.count(),
        "payments": Payment.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


def test_member_bad_id_number(household):
    before = counts()
    value = "34990119750314123"  # 17 characters
    member = Member(household=household, name="赵六", id_number=value, relation="child")

    with pytest.raises(ValidationError) as raised:
        member.full_clean()

    messages = raised.value.message_dict["id_number"]
    assert any(value in message for message in messages)
    assert counts() == before


def test_member_bad_check_character(household):
    head = household.members.get(relation="head")
    wrong = head.id_number[:-1] + ("1" if head.id_number[-1] != "1" else "2")
    member = Member(household=household, name="赵六", id_number=wrong, relation="child")

    with pytest.raises(ValidationError) as raised:
        member.full_clean()

    assert wrong in raised.value.message_dict["id_number"][0]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("-5.00", "-5.00"),
        (Decimal("-0.01"), "-0.01"),
        ("18000.005", "18000.005"),
        (Decimal("0.001"), "0.001"),
        (18000.5, "18000.5"),
        ("abc", "abc"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("0", "0"),
        ("1e30", "1e30"),
        ("1000000000000.00", "1000000000000.00"),
        ("", ""),
        (None, "None"),
    ],
)
def test_bad_amount_claimed(staff, household, policy, amount, shown):
    before = counts()

    with pytest.raises(InvalidAmount) as raised:
        services.register_application(
            user=staff.village_clerk,
            household=household,
            cause="illness",
            amount_claimed=amount,
        )

    assert raised.value.code == "invalid_amount"
    assert raised.value.field == "amount_claimed"
    assert "amount_claimed" in raised.value.message
    assert shown in raised.value.message
    assert counts() == before


def test_float_amount_named(staff, household, policy):
    with pytest.raises(InvalidAmount) as raised:
        services.register_application(
            user=staff.village_clerk,
            household=household,
            cause="illness",
            amount_claimed=0.1 + 0.2,
        )

    assert "float" in raised.value.message
    assert raised.value.value == 0.1 + 0.2


def test_largest_amount_accepted():
    assert parse_amount("999999999999.99", "amount") == Decimal("999999999999.99")


def test_unknown_cause(staff, household, policy):
    before = counts()

    with pytest.raises(ServiceError) as raised:
        services.register_application(
            user=staff.village_clerk,
            household=household,
            cause="fire",
            amount_claimed="1000.00",
        )

    assert raised.value.field == "cause"
    assert "fire" in raised.value.message
    assert counts() == before


def test_bad_document_type(staff, household, policy):
    before = counts()
    document = SimpleUploadedFile("诊断证明.exe", b"MZ", content_type="image/png")

    with pytest.raises(ServiceError) as raised:
        services.register_application(
            user=staff.village_clerk,
            household=household,
            cause="illness",
            amount_claimed="1000.00",
            documents=[document],
        )

    assert raised.value.field == "documents"
    assert "诊断证明.exe" in raised.value.message
    assert counts() == before


def test_transition_out_of_order(staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    before = counts()

    with pytest.raises(TransitionRefused) as raised:
        payouts.approve_claim(user=staff.poverty_office, claim_id=claim.pk)

    assert raised.value.field == "status"
    assert raised.value.value == Status.VERIFIED
    assert claim.number in raised.value.message
    assert str(Status.VERIFIED.label) in raised.value.message
    assert counts() == before


def test_approval_beyond_fund(staff, household, policy, fund):
    claim = claim_at(Status.NOTICE_PASSED, household, staff)
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("100.00"))
    before = counts()

    with pytest.raises(payouts.FundExhausted) as raised:
        payouts.approve_claim(user=staff.poverty_office, claim_id=claim.pk)

    assert raised.value.field == "amount"
    assert "7100.00" in raised.value.message
    assert "100.00" in raised.value.message
    assert counts() == before
    claim.refresh_from_db()
    assert claim.status == Status.NOTICE_PASSED


@pytest.mark.parametrize(
    ("total", "present", "agreeing", "field", "shown"),
    [
        (9, -1, 0, "members_present", "-1"),
        (9, 10, 5, "members_present", "10"),
        (9, 7, 8, "members_agreeing", "8"),
        (0, 0, 0, "members_total", "0"),
    ],
)
def test_bad_deliberation_counts(
    staff, household, policy, fund, total, present, agreeing, field, shown
):
    claim = claim_at(Status.VERIFIED, household, staff)
    before = counts()

    with pytest.raises(ServiceError) as raised:
        services.record_deliberation(
            user=staff.village_clerk,
            claim_id=claim.pk,
            held_on=timezone.localdate(),
            members_total=total,
            members_present=present,
            members_agreeing=agreeing,
            attendees="村委会成员",
            minutes="同意",
        )

    assert raised.value.field == field
    assert shown in raised.value.message
    assert counts() == before


def test_future_deliberation_date(staff, household, policy, fund, today):
    claim = claim_at(Status.VERIFIED, household, staff)
    later = today + datetime.timedelta(days=1)
    before = counts()

    with pytest.raises(ServiceError) as raised:
        services.record_deliberation(
            user=staff.village_clerk,
            claim_id=claim.pk,
            held_on=later,
            members_total=9,
            members_present=7,
            members_agreeing=6,
            attendees="村委会成员",
            minutes="同意",
        )

    assert raised.value.field == "held_on"
    assert str(later) in raised.value.message
    assert counts() == before


def test_bad_verified_amount(staff, household, policy, fund, today):
    claim = claim_at(Status.SCHEDULED, household, staff)
    members = list(household.members.values_list("pk", flat=True))
    before = counts()

    with pytest.raises(InvalidAmount) as raised:
        verification.record_verification(
            user=staff.inspector,
            claim_id=claim.pk,
            visited_on=today,
            members_present=members,
            income=[verification.IncomeLine("wage", "1000.00")],
            production_costs="0",
            rigid_expenditure="0",
            verified_amount="18000.123",
            stable_income=True,
        )

    assert raised.value.field == "verified_amount"
    assert "18000.123" in raised.value.message
    assert counts() == before
    assert Verification.objects.count() == 0
