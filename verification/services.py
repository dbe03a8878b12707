"""Scheduling home visits and recording home checks."""

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Claim
from claims.transitions import apply_transition, lock_claim
from payouts.money import parse_amount
from payouts.policies import policy_for_year
from registry.models import Member, Role, User
from relief.dates import reject_future_date
from relief.errors import ServiceError
from verification.eligibility import (
    INCOME_CATEGORIES,
    HouseholdFinances,
    Rules,
    decide,
)
from verification.models import Conclusion, IncomeItem, Verification, Visit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomeLine:
    category: str
    amount: object
    description: str = ""


def schedule_visit(
    *,
    user: User,
    claim_id: int,
    inspector: User,
    planned_on: datetime.date,
    vehicle: str = "",
) -> Visit:
    """Assign a home visit of a referred claim to an inspector."""
    if not inspector.has_role(Role.INSPECTOR):
        raise ServiceError(
            _("%(value)s is not an active inspector.")
            % {"value": inspector.get_username()},
            code="invalid_inspector",
            field="inspector",
            value=inspector.get_username(),
        )
    if planned_on < timezone.localdate():
        raise ServiceError(
            _("The planned date %(value)s is in the past.") % {"value": planned_on},
            code="invalid_date",
            field="planned_on",
            value=planned_on,
        )
    with transaction.atomic():
        claim = lock_claim(claim_id)
        visit = Visit(
            claim=claim,
            inspector=inspector,
            planned_on=planned_on,
            vehicle=vehicle,
            scheduled_by=user,
        )
        note = _("Visit on %(date)s by %(inspector)s") % {
            "date": planned_on,
            "inspector": inspector.get_full_name() or inspector.get_username(),
        }
        apply_transition(claim, "schedule_visit", user, note)
        visit.save()
    logger.info("visit scheduled", extra={"claim_id": claim.pk, "visit_id": visit.pk})
    return visit


def record_verification(
    *,
    user: User,
    claim_id: int,
    visited_on: datetime.date,
    members_present: Sequence[int],
    income: Iterable[IncomeLine],
    production_costs: object,
    rigid_expenditure: object,
    verified_amount: object,
    stable_income: bool,
    notes: str = "",
) -> Verification:
    """Record the home check, decide eligibility by the policy and move the claim.

    The claim becomes ``verified`` when eligible and ``closed_ineligible``
    otherwise, with the decision's reason as the note.
    """
    items = _parse_income(income)
    costs = parse_amount(production_costs, "production_costs", allow_zero=True)
    rigid = parse_amount(rigid_expenditure, "rigid_expenditure", allow_zero=True)
    verified = parse_amount(verified_amount, "verified_amount", allow_zero=True)
    reject_future_date(visited_on, "visited_on", _("visit date"))

    with transaction.atomic():
        claim = lock_claim(claim_id)
        _reject_visit_before_registration(claim, visited_on)
        visit = claim.current_visit
        present = _members_present(claim.household_id, members_present)
        counted = claim.household.members.filter(counted=True).count()
        if counted == 0:
            raise ServiceError(
                _("Household of claim %(number)s has no member who counts.")
                % {"number": claim.number},
                code="no_counted_members",
                field="members",
                value=0,
            )
        policy = policy_for_year(claim.policy_year)
        totals = {category: Decimal("0.00") for category in INCOME_CATEGORIES}
        for item in items:
            totals[item.category] += item.amount
        decision = decide(
            HouseholdFinances(
                income=totals,
                production_costs=costs,
                rigid_expenditure=rigid,
                counted_members=counted,
                stable_income=stable_income,
            ),
            Rules(policy.year, policy.income_line, policy.burden_ratio),
        )
        step = "verify_eligible" if decision.eligible else "verify_ineligible"
        apply_transition(claim, step, user, decision.reason)
        verification = Verification.objects.create(
            claim=claim,
            visit=visit,
            inspector=user,
            visited_on=visited_on,
            counted_members=counted,
            production_costs=costs,
            rigid_expenditure=rigid,
            verified_amount=verified,
            stable_income=stable_income,
            per_capita_income=decision.per_capita_income,
            conclusion=Conclusion.ELIGIBLE
            if decision.eligible
            else Conclusion.INELIGIBLE,
            reason=decision.reason,
            policy=policy,
            decision=decision.as_dict(),
            notes=notes,
        )
        verification.members_present.set(present)
        IncomeItem.objects.bulk_create(
            IncomeItem(verification=verification, **vars(item)) for item in items
        )
    logger.info(
        "verification recorded: %s",
        verification.conclusion,
        extra={"claim_id": claim.pk, "verification_id": verification.pk},
    )
    return verification


def _reject_visit_before_registration(claim: Claim, visited_on: datetime.date) -> None:
    # created_at is stored in UTC, so the registration day is its date in
    # TIME_ZONE (Asia/Shanghai).
    registered_on = timezone.localdate(claim.created_at)
    if visited_on < registered_on:
        raise ServiceError(
            _(
                "The visit date %(value)s is before claim %(number)s was registered "
                "on %(registered)s."
            )
            % {
                "value": visited_on,
                "number": claim.number,
                "registered": registered_on,
            },
            code="invalid_date",
            field="visited_on",
            value=visited_on,
        )


@dataclass(frozen=True)
class _ParsedIncome:
    category: str
    amount: Decimal
    description: str


def _parse_income(income: Iterable[IncomeLine]) -> list[_ParsedIncome]:
    items = []
    for index, line in enumerate(income, start=1):
        if line.category not in INCOME_CATEGORIES:
            raise ServiceError(
                _("Income line %(row)s: unknown category %(value)s.")
                % {"row": index, "value": line.category},
                code="invalid_income_category",
                field=f"income[{index}].category",
                value=line.category,
            )
        amount = parse_amount(line.amount, f"income[{index}].amount", allow_zero=True)
        items.append(_ParsedIncome(line.category, amount, line.description))
    return items


def _members_present(household_id: int, member_ids: Sequence[int]) -> list[Member]:
    members = list(Member.objects.filter(household_id=household_id, pk__in=member_ids))
    if len(members) != len(set(member_ids)):
        found = {member.pk for member in members}
        stray = sorted(set(member_ids) - found)
        raise ServiceError(
            _("Members %(value)s are not in this household.") % {"value": stray},
            code="invalid_member",
            field="members_present",
            value=stray,
        )
    if not members:
        raise ServiceError(
            _("At least one member must be present at the home check."),
            code="invalid_member",
            field="members_present",
            value=[],
        )
    return members
