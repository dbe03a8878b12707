"""A household's illness claim from village application to paid certificate,
driven through the services as each role would."""

import datetime
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from claims import notices, services
from claims.models import Status
from payouts import services as payouts
from payouts.models import Fund, PaymentStatus
from tests.factories import make_claim
from verification import services as verification
from verification.services import IncomeLine


@pytest.mark.django_db
def test_illness_claim_paid_with_certificate(
    staff, household, policy, fund, today, django_capture_on_commit_callbacks
):
    # Given an application for 18,000 yuan of out-of-pocket medical costs
    claim = make_claim(household, staff.village_clerk)

    # When each role takes its step
    services.take_step(
        user=staff.village_clerk, claim_id=claim.pk, step="review_in_village"
    )
    services.take_step(
        user=staff.town_reviewer, claim_id=claim.pk, step="review_in_town"
    )
    services.take_step(user=staff.poverty_office, claim_id=claim.pk, step="refer")
    verification.schedule_visit(
        user=staff.coordinator,
        claim_id=claim.pk,
        inspector=staff.inspector,
        planned_on=today,
    )
    record = verification.record_verification(
        user=staff.inspector,
        claim_id=claim.pk,
        visited_on=today,
        members_present=list(household.members.values_list("pk", flat=True)),
        income=[IncomeLine("wage", "30000.00"), IncomeLine("transfer", "1200.00")],
        production_costs="2000.00",
        rigid_expenditure="18000.00",
        verified_amount="18000.00",
        stable_income=True,
    )
    services.record_deliberation(
        user=staff.village_clerk,
        claim_id=claim.pk,
        held_on=today,
        members_total=9,
        members_present=7,
        members_agreeing=6,
        attendees="村委会成员七人",
        minutes="同意",
    )
    notice = notices.open_notice(user=staff.poverty_office, claim_ids=[claim.pk])
    closed = notices.close_due_notices(
        now=notice.closes_at + datetime.timedelta(minutes=1)
    )
    payment = payouts.approve_claim(user=staff.poverty_office, claim_id=claim.pk)
    with django_capture_on_commit_callbacks(execute=True):
        paid = payouts.mark_paid(
            user=staff.coordinator, claim_id=claim.pk, bank_reference="B1"
        )

    # Then (31,200 - 2,000 - 18,000) / 3 = 3,733.33 is under the line
    assert record.per_capita_income == Decimal("3733.33")
    assert record.conclusion == "eligible"
    assert closed == 1
    # 10,000 x 50% + 3,000 x 70%
    assert payment.amount == Decimal("7100.00")
    assert notice.entries.get().amount == Decimal("7100.00")
    claim.refresh_from_db()
    assert claim.status == Status.PAID
    assert paid.status == PaymentStatus.PAID
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.reserved == Decimal("0.00")
    assert fund.disbursed == Decimal("7100.00")
    certificate = paid.certificate
    certificate.refresh_from_db()
    assert certificate.pdf.name.endswith(".pdf")
    transitions = list(
        StateLog.objects.for_(claim)
        .order_by("timestamp", "id")
        .values_list("transition", flat=True)
    )
    assert transitions == [
        "register",
        "review_in_village",
        "review_in_town",
        "refer",
        "schedule_visit",
        "verify_eligible",
        "record_deliberation",
        "post_notice",
        "pass_notice",
        "approve",
        "mark_paid",
    ]
