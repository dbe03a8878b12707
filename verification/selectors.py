"""Reads of visits and verification records for the pages, scoped to the user.

Every read starts from ``claims.selectors.visible_claims``, so a visit or a
record is shown only to someone who may see its claim.
"""

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Q, QuerySet

from claims.models import Claim, Status
from claims.selectors import visible_claims
from registry.models import Role, User
from verification.models import Verification, Visit


@dataclass
class InspectorDay:
    inspector: User
    visits: list[Visit]


@dataclass
class ScheduleDay:
    date: datetime.date
    inspectors: list[InspectorDay]

    @property
    def visit_count(self) -> int:
        return sum(len(group.visits) for group in self.inspectors)


def active_inspectors() -> QuerySet[User]:
    """Active inspectors with the number of home checks still open for each."""
    return (
        User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .annotate(
            open_visits=Count(
                "visits",
                filter=Q(
                    visits__claim__status=Status.SCHEDULED,
                    visits__verification__isnull=True,
                ),
            )
        )
        .order_by("last_name", "first_name", "username")
    )


def pending_visits(user: User) -> QuerySet[Visit]:
    """Visits of claims still waiting for their home check, by date and inspector.

    A claim sent back by an upheld objection keeps its earlier visit, which
    has a verification and so is not pending.
    """
    return (
        Visit.objects.filter(
            claim__in=visible_claims(user),
            claim__status=Status.SCHEDULED,
            verification__isnull=True,
        )
        .select_related("claim__household__village", "inspector")
        .prefetch_related("claim__household__members")
        .order_by(
            "planned_on",
            "inspector__last_name",
            "inspector__first_name",
            "inspector__username",
            "id",
        )
    )


def group_schedule(visits: QuerySet[Visit]) -> list[ScheduleDay]:
    """Group visits sorted by date and inspector into days, then inspectors."""
    days = []
    for date, day_visits in groupby(visits, key=lambda visit: visit.planned_on):
        inspectors = [
            InspectorDay(inspector=group[0].inspector, visits=group)
            for group in (
                list(items)
                for _key, items in groupby(day_visits, key=lambda v: v.inspector_id)
            )
        ]
        days.append(ScheduleDay(date=date, inspectors=inspectors))
    return days


def claims_awaiting_visit(user: User) -> QuerySet[Claim]:
    """Referred claims the coordinator has still to schedule, oldest first."""
    return visible_claims(user).filter(status=Status.REFERRED).order_by("updated_at")


def inspector_open_visits(user: User) -> QuerySet[Visit]:
    """Return the inspector's visits whose home check is still to be recorded."""
    return pending_visits(user).filter(inspector=user)


def inspector_done_visits(user: User) -> QuerySet[Visit]:
    """Return the inspector's visits with a recorded home check, newest first."""
    return (
        Visit.objects.filter(
            claim__in=visible_claims(user),
            inspector=user,
            verification__isnull=False,
        )
        .select_related("claim__household__village", "verification")
        .prefetch_related("claim__household__members")
        .order_by("-planned_on", "-id")
    )


def latest_verification(claim: Claim) -> Verification | None:
    return claim.verifications.order_by("-created_at", "-id").first()


def verification_for_user(user: User, pk: int) -> Verification | None:
    """Return the record with its inputs if the user may see its claim."""
    return (
        Verification.objects.filter(pk=pk, claim__in=visible_claims(user))
        .select_related("claim__household__village", "inspector", "visit", "policy")
        .prefetch_related("income_items", "members_present")
        .first()
    )
