"""Two approvals racing for the fund's last money on two real PostgreSQL
connections: the fund's row lock lets one through and the other gets
FundExhausted, so the fund is never overspent."""

from decimal import Decimal

import pytest
from django.db import connection

from claims.models import Status
from payouts import services
from payouts.models import EntryKind, Fund, LedgerEntry, Payment
from registry.models import Role
from tests.factories import UserFactory, make_household
from tests.journey import claim_at, run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite ignores SELECT ... FOR UPDATE and allows one writer at a "
        "time, so it cannot show two transactions racing; CI runs PostgreSQL",
    ),
]


@pytest.fixture
def two_claims(staff, household, village, policy, fund):
    """Two claims of two households, each for a payout of 7,100.00 yuan."""
    neighbour = make_household(village, head_name="李秀英")
    return [
        claim_at(Status.NOTICE_PASSED, household, staff),
        claim_at(Status.NOTICE_PASSED, neighbour, staff),
    ]


def test_last_money_race(staff, two_claims, fund):
    # Room for one payout of 7,100.00 and not two.
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("14199.99"))
    second_office = UserFactory(
        username="office-2", role=Role.POVERTY_OFFICE, area=staff.poverty_office.area
    )

    outcomes = run_together(
        lambda: services.approve_claim(
            user=staff.poverty_office, claim_id=two_claims[0].pk
        ),
        lambda: services.approve_claim(user=second_office, claim_id=two_claims[1].pk),
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert [type(error) for error in errors] == [services.FundExhausted]
    assert "7100.00" in errors[0].message
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).count() == 1
    fund = Fund.objects.get()
    assert fund.reserved == Decimal("7100.00")
    assert fund.reserved + fund.disbursed <= fund.total
    statuses = sorted(claim.status for claim in _reloaded(two_claims))
    assert statuses == [Status.APPROVED, Status.NOTICE_PASSED]


def test_both_fit_race(staff, two_claims, fund):
    # Exactly enough for both: neither approval may be rejected.
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("14200.00"))

    outcomes = run_together(
        *(
            lambda claim=claim: services.approve_claim(
                user=staff.poverty_office, claim_id=claim.pk
            )
            for claim in two_claims
        )
    )

    assert [type(outcome) for outcome in outcomes] == [
        Payment,
        Payment,
    ]
    fund = Fund.objects.get()
    assert fund.reserved == Decimal("14200.00")
    assert fund.remaining == Decimal("0.00")


def _reloaded(claims):
    for claim in claims:
        claim.refresh_from_db()
    return claims
