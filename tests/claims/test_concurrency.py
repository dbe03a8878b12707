"""Two users acting on one claim at the same moment, on two real PostgreSQL
connections: the claim's row lock lets exactly one of them succeed."""

from decimal import Decimal

import pytest
from django.db import connection

from claims import services
from claims.models import Status
from payouts import services as payouts
from payouts.models import EntryKind, Fund, LedgerEntry, Payment
from registry.models import Role
from relief.errors import TransitionRefused
from tests.factories import UserFactory
from tests.journey import claim_at, run_together, state_logs

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
def second_office(staff):
    """Another poverty office user of the same county."""
    return UserFactory(
        username="office-2", role=Role.POVERTY_OFFICE, area=staff.poverty_office.area
    )


def split(outcomes):
    """Return the successful results and the exceptions of ``run_together``."""
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    results = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    return results, errors


def transitions(claim, name: str) -> int:
    return state_logs(claim).filter(transition=name).count()


def test_refer_race(staff, household, policy, fund, second_office):
    claim = claim_at(Status.TOWN_REVIEWED, household, staff)

    outcomes = run_together(
        *(
            lambda user=user: services.take_step(
                user=user, claim_id=claim.pk, step="refer"
            )
            for user in (staff.poverty_office, second_office)
        )
    )

    results, errors = split(outcomes)
    assert len(results) == 1
    assert [type(error) for error in errors] == [TransitionRefused]
    assert errors[0].code == "transition_not_allowed"
    assert errors[0].value == Status.REFERRED
    claim.refresh_from_db()
    assert claim.status == Status.REFERRED
    assert transitions(claim, "refer") == 1


def test_approve_race(staff, household, policy, fund, second_office):
    claim = claim_at(Status.NOTICE_PASSED, household, staff)

    outcomes = run_together(
        *(
            lambda user=user: payouts.approve_claim(user=user, claim_id=claim.pk)
            for user in (staff.poverty_office, second_office)
        )
    )

    results, errors = split(outcomes)
    assert len(results) == 1
    assert [type(error) for error in errors] == [TransitionRefused]
    assert transitions(claim, "approve") == 1
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).count() == 1
    assert Fund.objects.get().reserved == Decimal("7100.00")


def test_pay_race(staff, household, policy, fund):
    claim = claim_at(Status.APPROVED, household, staff)

    outcomes = run_together(
        *(
            lambda: payouts.mark_paid(user=staff.coordinator, claim_id=claim.pk)
            for _ in range(2)
        )
    )

    # The second call waits for the first, finds the claim paid and returns
    # the same payment: a retried payment never pays twice.
    results, errors = split(outcomes)
    assert errors == []
    assert results[0].pk == results[1].pk
    assert transitions(claim, "mark_paid") == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).count() == 1
    fund = Fund.objects.get()
    assert fund.disbursed == Decimal("7100.00")
    assert fund.reserved == Decimal("0.00")


def test_reject_withdraw_race(staff, household, policy, fund):
    claim = claim_at(Status.SUBMITTED, household, staff)

    outcomes = run_together(
        lambda: services.take_step(
            user=staff.town_reviewer, claim_id=claim.pk, step="reject", note="不符合"
        ),
        lambda: services.take_step(
            user=staff.village_clerk, claim_id=claim.pk, step="withdraw", note="撤回"
        ),
    )

    results, errors = split(outcomes)
    assert len(results) == 1
    assert [type(error) for error in errors] == [TransitionRefused]
    claim.refresh_from_db()
    assert claim.status in (Status.REJECTED, Status.WITHDRAWN)
    closing = transitions(claim, "reject") + transitions(claim, "withdraw")
    assert closing == 1
