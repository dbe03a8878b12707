"""Bring a claim to a given status through the services, as each role would.

``advance(claim, to=Status.APPROVED, staff=staff)`` takes every step from the
claim's current status to ``to`` on the application or referral path and
returns the claim reloaded. ``staff`` has the attributes of the ``staff``
fixture: ``village_clerk``, ``town_reviewer``, ``poverty_office``,
``coordinator`` and ``inspector``. The home check uses the figures of the
worked example (three members, per-capita 3,733.33 yuan, eligible) unless
``verified_amount`` or ``home_check`` override them.
"""

import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims import notices, services
from claims.models import Channel, Claim, Deliberation, Status
from claims.transitions import log_creation
from payouts import services as payouts
from registry.models import Household, User
from verification import services as verification
from verification.services import IncomeLine

APPLICATION_PATH = [
    Status.SUBMITTED,
    Status.VILLAGE_REVIEWED,
    Status.TOWN_REVIEWED,
    Status.REFERRED,
]
REFERRAL_PATH = [Status.IMPORTED, Status.SCREENED, Status.REFERRED]
COMMON_PATH = [
    Status.SCHEDULED,
    Status.VERIFIED,
    Status.DELIBERATED,
    Status.ON_NOTICE,
    Status.NOTICE_PASSED,
    Status.APPROVED,
    Status.PAID,
]
_referral_numbers = itertools.count(1)


def eligible_home_check(members: list[int], verified_amount: object) -> dict[str, Any]:
    """Return ``record_verification`` arguments for an eligible household:
    (30,000 + 1,200 - 2,000 - 18,000) / 3 = 3,733.33 yuan per person."""
    return {
        "visited_on": timezone.localdate(),
        "members_present": members,
        "income": [IncomeLine("wage", "30000.00"), IncomeLine("transfer", "1200.00")],
        "production_costs": "2000.00",
        "rigid_expenditure": "18000.00",
        "verified_amount": verified_amount,
        "stable_income": True,
    }


def advance(
    claim: Claim,
    to: str,
    staff: Any,
    *,
    verified_amount: object = "18000.00",
    home_check: dict[str, Any] | None = None,
) -> Claim:
    """Take every step from the claim's status to ``to`` and return it reloaded.

    ``home_check`` replaces keyword arguments of ``record_verification``.
    Raise ValueError when ``to`` is not ahead of the claim on its path.
    """
    path = path_of(claim)
    claim.refresh_from_db()
    if claim.status not in path or to not in path:
        raise ValueError(f"no path from {claim.status} to {to}")
    start, end = path.index(claim.status), path.index(to)
    if end < start:
        raise ValueError(f"{to} is behind {claim.status}")
    for target in path[start + 1 : end + 1]:
        _step_to(claim, target, staff, verified_amount, home_check or {})
        claim.refresh_from_db()
        if claim.status != target:
            raise AssertionError(f"claim stopped at {claim.status}, not {target}")
    return claim


def claim_at(status: str, household: Household, staff: Any, **options: Any) -> Claim:
    """Register a claim of ``household`` and advance it to ``status``.

    A claim for ``imported`` or ``screened`` is a referral, any other an
    application; ``options`` go to ``advance``.
    """
    if status in (Status.IMPORTED, Status.SCREENED):
        claim = make_referral(household, staff.town_reviewer)
    else:
        claim = services.register_application(
            user=staff.village_clerk,
            household=household,
            cause="illness",
            amount_claimed=Decimal("18000.00"),
        )
    return advance(claim, to=status, staff=staff, **options)


def state_logs(claim: Claim) -> QuerySet[StateLog]:
    """Return the claim's StateLog rows, oldest first."""
    return StateLog.objects.for_(claim).order_by("timestamp", "id")


def path_of(claim: Claim) -> list[str]:
    start = APPLICATION_PATH if claim.channel == Channel.APPLICATION else REFERRAL_PATH
    return [*start, *COMMON_PATH]


def make_referral(
    household: Household,
    user: User,
    *,
    cause: str = "illness",
    amount: Decimal = Decimal("18000.00"),
    year: int | None = None,
) -> Claim:
    """Create a referral claim in ``imported`` status with its first timeline
    row, as an import of a department's list leaves it."""
    year = year or timezone.localdate().year
    claim = Claim.objects.create(
        number=f"R{year}{next(_referral_numbers):07d}",
        household=household,
        cause=cause,
        channel=Channel.REFERRAL,
        amount_claimed=amount,
        policy_year=year,
        status=Status.IMPORTED,
        created_by=user,
    )
    log_creation(claim, user, "Imported from a department list.")
    return claim


def _step_to(
    claim: Claim,
    target: str,
    staff: Any,
    verified_amount: object,
    home_check: dict[str, Any],
) -> None:
    simple = {
        Status.VILLAGE_REVIEWED: ("review_in_village", staff.village_clerk),
        Status.TOWN_REVIEWED: ("review_in_town", staff.town_reviewer),
        Status.SCREENED: ("screen_in", staff.town_reviewer),
        Status.REFERRED: ("refer", staff.poverty_office),
    }
    if target in simple:
        step, user = simple[target]
        services.take_step(user=user, claim_id=claim.pk, step=step)
    elif target == Status.SCHEDULED:
        verification.schedule_visit(
            user=staff.coordinator,
            claim_id=claim.pk,
            inspector=staff.inspector,
            planned_on=timezone.localdate(),
        )
    elif target == Status.VERIFIED:
        members = list(claim.household.members.values_list("pk", flat=True))
        arguments = eligible_home_check(members, verified_amount) | home_check
        verification.record_verification(
            user=staff.inspector, claim_id=claim.pk, **arguments
        )
    elif target == Status.DELIBERATED:
        deliberate(claim, staff.village_clerk)
    elif target == Status.ON_NOTICE:
        notices.open_notice(user=staff.village_clerk, claim_ids=[claim.pk])
    elif target == Status.NOTICE_PASSED:
        notice = notices.current_entry(claim).notice
        notices.close_notice(notice.pk, now=notice.closes_at)
    elif target == Status.APPROVED:
        payouts.approve_claim(user=staff.poverty_office, claim_id=claim.pk)
    elif target == Status.PAID:
        payouts.mark_paid(
            user=staff.coordinator, claim_id=claim.pk, bank_reference="B1"
        )
    else:
        raise ValueError(f"no step leads to {target}")


def deliberate(
    claim: Claim, clerk: User, *, present: int = 7, agreeing: int = 6
) -> Deliberation:
    """Record a village meeting of nine members on the claim."""
    return services.record_deliberation(
        user=clerk,
        claim_id=claim.pk,
        held_on=timezone.localdate(),
        members_total=9,
        members_present=present,
        members_agreeing=agreeing,
        attendees="村委会成员",
        minutes="同意",
    )


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread and database connection, released
    together by a barrier, and return each call's result or exception.

    The race is real only in ``django_db(transaction=True)`` tests on
    PostgreSQL, where each thread's connection commits on its own.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            # A generous bound so a broken lock fails the test instead of hanging.
            barrier.wait(timeout=60)
            outcomes[index] = call()
        except Exception as error:
            # Returned, so the test asserts which call failed and how.
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        if thread.is_alive():
            raise RuntimeError("a concurrent call did not finish; a lock may hang")
    return outcomes
