"""Reads of claims for pages, the API and downloads, always scoped to the user.

``visible_claims`` is the one place that decides which claims a user may see:
area roles see the claims of households inside their area, the insurer's
coordinator sees every claim handed to the insurer, and an inspector sees the
claims whose visits are assigned to them.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import Claim, Status
from registry.models import Role, User
from verification.models import Visit

# Statuses a claim reaches only after the poverty office referred it.
INSURER_STATUSES = [
    Status.REFERRED,
    Status.SCHEDULED,
    Status.VERIFIED,
    Status.CLOSED_INELIGIBLE,
    Status.DELIBERATED,
    Status.ON_NOTICE,
    Status.NOTICE_PASSED,
    Status.APPROVED,
    Status.PAID,
]

# What each role works on next, by claim status.
QUEUE_STATUSES = {
    Role.VILLAGE_CLERK: [Status.SUBMITTED, Status.VERIFIED, Status.ON_NOTICE],
    Role.TOWN_REVIEWER: [Status.VILLAGE_REVIEWED, Status.IMPORTED],
    Role.POVERTY_OFFICE: [
        Status.TOWN_REVIEWED,
        Status.SCREENED,
        Status.DELIBERATED,
        Status.ON_NOTICE,
        Status.NOTICE_PASSED,
    ],
    Role.INSURER_COORDINATOR: [Status.REFERRED, Status.APPROVED],
    Role.INSPECTOR: [Status.SCHEDULED],
    Role.AUDITOR: [],
    Role.DEPARTMENT_CLERK: [],
}


def visible_claims(user: User) -> QuerySet[Claim]:
    claims = Claim.objects.select_related("household__village").prefetch_related(
        "household__members"
    )
    if not user.is_authenticated or not user.is_active or not user.role:
        return claims.none()
    if user.role == Role.INSURER_COORDINATOR:
        return claims.filter(
            Q(Exists(Visit.objects.filter(claim=OuterRef("pk"))))
            | Q(status__in=INSURER_STATUSES)
        )
    if user.role == Role.INSPECTOR:
        return claims.filter(
            Exists(Visit.objects.filter(claim=OuterRef("pk"), inspector=user))
        )
    if user.role == Role.DEPARTMENT_CLERK or user.area is None:
        # Department clerks upload referral lists; they read no claims.
        return claims.none()
    return claims.filter(household__village__code__startswith=user.area.prefix)


def work_queue(user: User) -> QuerySet[Claim]:
    """Claims waiting for the user's next step, oldest first."""
    statuses = QUEUE_STATUSES.get(user.role, [])
    claims = visible_claims(user).filter(status__in=statuses)
    if user.role == Role.INSPECTOR:
        claims = claims.filter(visits__inspector=user).distinct()
    return claims.order_by("created_at", "id")
