"""Home checks through the services: the decision uses the household's counted
members and the year's policy, and is stored with its inputs."""

import datetime
from decimal import Decimal

import pytest

from claims.models import Status
from registry.models import Member
from relief.errors import ServiceError
from tests.factories import make_household
from tests.journey import claim_at, eligible_home_check
from verification import services
from verification.models import IncomeItem, Verification, Visit
from verification.services import IncomeLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(staff, household, policy, fund):
    return claim_at(Status.SCHEDULED, household, staff)


def check(staff, claim, wage, *, rigid="0.00", stable=True, **overrides):
    """Record a home check with one wage income and no costs."""
    members = list(claim.household.members.values_list("pk", flat=True))
    arguments = eligible_home_check(members, "18000.00") | {
        "income": [IncomeLine("wage", wage)],
        "production_costs": "0.00",
        "rigid_expenditure": rigid,
        "stable_income": stable,
    }
    return services.record_verification(
        user=staff.inspector, claim_id=claim.pk, **(arguments | overrides)
    )


def status_of(claim) -> str:
    claim.refresh_from_db()
    return claim.status


def test_at_line_verified(staff, scheduled):
    # 15,600 / 3 members = 5,200.00, the default line
    record = check(staff, scheduled, "15600.00")

    assert record.per_capita_income == Decimal("5200.00")
    assert record.conclusion == "eligible"
    assert status_of(scheduled) == Status.VERIFIED


def test_one_fen_above_line_closed(staff, scheduled):
    # 15,600.03 / 3 = 5,200.01
    record = check(staff, scheduled, "15600.03")

    assert record.per_capita_income == Decimal("5200.01")
    assert record.conclusion == "ineligible"
    assert status_of(scheduled) == Status.CLOSED_INELIGIBLE
    assert scheduled.closing_reason == record.reason


def test_half_fen_rounds_up(staff, household, policy, fund):
    # 10,400.01 / 2 = 5,200.005, rounded half-up to 5,200.01
    Member.objects.filter(household=household, relation="child").delete()
    claim = claim_at(Status.SCHEDULED, household, staff)

    record = check(staff, claim, "10400.01")

    assert record.counted_members == 2
    assert record.per_capita_income == Decimal("5200.01")
    assert record.conclusion == "ineligible"


def test_uncounted_member_excluded(staff, household, policy, fund):
    # In prison: 15,600 / 2 = 7,800 instead of 15,600 / 3 = 5,200
    Member.objects.filter(household=household, relation="child").update(
        counted=False, not_counted_reason="服刑"
    )
    claim = claim_at(Status.SCHEDULED, household, staff)

    record = check(staff, claim, "15600.00")

    assert record.counted_members == 2
    assert record.per_capita_income == Decimal("7800.00")
    assert status_of(claim) == Status.CLOSED_INELIGIBLE


def test_absent_member_still_counted(staff, scheduled, household):
    # Counting follows the household register, not who was home.
    head = household.members.get(relation="head")

    record = check(staff, scheduled, "15600.00", members_present=[head.pk])

    assert record.counted_members == 3
    assert list(record.members_present.all()) == [head]


@pytest.mark.parametrize(
    ("base", "multiple", "target"),
    [
        ("4000.00", "1.30", Status.CLOSED_INELIGIBLE),  # line 5,200
        ("4000.00", "1.50", Status.VERIFIED),  # line 6,000
        ("4400.00", "1.30", Status.VERIFIED),  # line 5,720
        ("3000.00", "1.80", Status.VERIFIED),  # line 5,400
        ("3000.00", "1.70", Status.CLOSED_INELIGIBLE),  # line 5,100
    ],
)
def test_line_follows_policy(staff, scheduled, policy, base, multiple, target):
    policy.base_poverty_line = Decimal(base)
    policy.income_line_multiple = Decimal(multiple)
    policy.save()

    # 16,200 / 3 = 5,400.00 per person
    record = check(staff, scheduled, "16200.00")

    assert status_of(scheduled) == target
    assert record.decision["steps"][1]["income_line"] == str(policy.income_line)


def test_burden_ratio_from_policy(staff, household, policy, fund):
    # One member with 20,000 of income and 10,000.01 of rigid expenditure:
    # per-capita 9,999.99 is above the line, but above half the income.
    Member.objects.filter(household=household).exclude(relation="head").delete()
    policy.burden_ratio = Decimal("0.50")
    policy.save()
    claim = claim_at(Status.SCHEDULED, household, staff)

    check(staff, claim, "20000.00", rigid="10000.01", stable=False)

    assert status_of(claim) == Status.VERIFIED


def test_burden_needs_no_stable_income(staff, household, policy, fund):
    Member.objects.filter(household=household).exclude(relation="head").delete()
    policy.burden_ratio = Decimal("0.50")
    policy.save()
    claim = claim_at(Status.SCHEDULED, household, staff)

    check(staff, claim, "20000.00", rigid="10000.01", stable=True)

    assert status_of(claim) == Status.CLOSED_INELIGIBLE


def test_record_keeps_inputs(staff, scheduled, policy):
    record = check(
        staff,
        scheduled,
        "15600.00",
        income=[IncomeLine("wage", "15000.00"), IncomeLine("transfer", "600.00")],
    )

    assert record.policy == policy
    assert record.decision["per_capita_income"] == "5200.00"
    assert record.decision["steps"][0]["gross_income"] == "15600.00"
    assert IncomeItem.objects.filter(verification=record).count() == 2
    assert record.visit == Visit.objects.get(claim=scheduled)


def test_no_counted_member_rejected(staff, household, policy, fund):
    household.members.update(counted=False)
    claim = claim_at(Status.SCHEDULED, household, staff)

    with pytest.raises(ServiceError) as raised:
        check(staff, claim, "1000.00")

    assert raised.value.code == "no_counted_members"
    assert status_of(claim) == Status.SCHEDULED
    assert Verification.objects.count() == 0


def test_stranger_member_rejected(staff, scheduled, village):
    stranger = make_household(village, head_name="王五", members=1).members.get()

    with pytest.raises(ServiceError) as raised:
        check(staff, scheduled, "1000.00", members_present=[stranger.pk])

    assert raised.value.field == "members_present"
    assert str(stranger.pk) in raised.value.message
    assert status_of(scheduled) == Status.SCHEDULED
    assert Verification.objects.count() == 0


def test_unknown_income_category(staff, scheduled):
    with pytest.raises(ServiceError) as raised:
        check(staff, scheduled, "1000.00", income=[IncomeLine("lottery", "5.00")])

    assert raised.value.field == "income[1].category"
    assert "lottery" in raised.value.message
    assert Verification.objects.count() == 0


def test_past_visit_date_rejected(staff, household, policy, fund, today):
    claim = claim_at(Status.REFERRED, household, staff)
    yesterday = today - datetime.timedelta(days=1)

    with pytest.raises(ServiceError) as raised:
        services.schedule_visit(
            user=staff.coordinator,
            claim_id=claim.pk,
            inspector=staff.inspector,
            planned_on=yesterday,
        )

    assert raised.value.field == "planned_on"
    assert str(yesterday) in raised.value.message
    assert status_of(claim) == Status.REFERRED
    assert Visit.objects.count() == 0


def test_non_inspector_not_scheduled(staff, household, policy, fund, today):
    claim = claim_at(Status.REFERRED, household, staff)

    with pytest.raises(ServiceError) as raised:
        services.schedule_visit(
            user=staff.coordinator,
            claim_id=claim.pk,
            inspector=staff.auditor,
            planned_on=today,
        )

    assert raised.value.field == "inspector"
    assert staff.auditor.username in raised.value.message
    assert Visit.objects.count() == 0
