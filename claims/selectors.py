"""Reads of claims for pages, the API and downloads, always scoped to the user.

``visible_claims`` is the one place that decides which claims a user may see:
area roles see the claims of households inside their area, the insurer's
coordinator sees every claim handed to the insurer, and an inspector sees the
claims whose visits are assigned to them.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django_fsm_log.models import StateLog

from claims.models import Claim, NoticeEntry, PublicNotice, Status
from registry.models import (
    PROGRAM_WIDE_ROLES,
    Area,
    AreaLevel,
    Household,
    Member,
    Relation,
    Role,
    User,
)
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

# Claim statuses that wait for each role's next step.
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


# Reads for the claims pages -------------------------------------------------


def with_status_since(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``status_since``: when the claim entered its current status."""
    claim_type = ContentType.objects.get_for_model(Claim)
    latest = StateLog.objects.filter(
        content_type=claim_type, object_id=OuterRef("pk")
    ).order_by("-timestamp", "-id")
    return claims.annotate(status_since=Subquery(latest.values("timestamp")[:1]))


def filter_claims(
    claims: QuerySet[Claim],
    *,
    status: str = "",
    cause: str = "",
    village: Area | None = None,
    query: str = "",
) -> QuerySet[Claim]:
    """Narrow ``claims`` by status, cause, village and a claim number or
    head-of-household name fragment; empty arguments do not filter."""
    if status:
        claims = claims.filter(status=status)
    if cause:
        claims = claims.filter(cause=cause)
    if village is not None:
        claims = claims.filter(household__village=village)
    query = query.strip()
    if query:
        heads = Member.objects.filter(
            household=OuterRef("household"),
            relation=Relation.HEAD,
            name__icontains=query,
        )
        claims = claims.filter(Q(number__icontains=query) | Q(Exists(heads)))
    return claims


def visible_villages(user: User) -> QuerySet[Area]:
    """Villages the user may filter claims by: those inside the user's area,
    or, for the program-wide roles, those with a claim the user can see."""
    villages = Area.objects.filter(level=AreaLevel.VILLAGE)
    if user.role in PROGRAM_WIDE_ROLES:
        household_villages = visible_claims(user).values("household__village")
        return villages.filter(pk__in=household_villages)
    if user.area is None:
        return villages.none()
    return villages.filter(code__startswith=user.area.prefix)


def households_for_clerk(user: User, query: str = "") -> QuerySet[Household]:
    """Households of the clerk's village, optionally matching a head's name or
    a member's ID number fragment."""
    if not user.has_role(Role.VILLAGE_CLERK) or user.area is None:
        return Household.objects.none()
    households = (
        Household.objects.filter(village__code__startswith=user.area.prefix)
        .select_related("village")
        .prefetch_related("members")
    )
    query = query.strip()
    if query:
        heads = Member.objects.filter(
            household=OuterRef("pk"), relation=Relation.HEAD, name__icontains=query
        )
        numbers = Member.objects.filter(
            household=OuterRef("pk"), id_number__icontains=query
        )
        households = households.filter(Q(Exists(heads)) | Q(Exists(numbers)))
    return households


def claim_timeline(claim: Claim) -> QuerySet[StateLog]:
    """Return every logged step of the claim, oldest first, with its actor."""
    return StateLog.objects.for_(claim).select_related("by").order_by("timestamp", "id")


def visible_notices(user: User) -> QuerySet[PublicNotice]:
    """Notices that list at least one claim the user can see."""
    entries = NoticeEntry.objects.filter(
        notice=OuterRef("pk"), claim__in=visible_claims(user).values("pk")
    )
    return PublicNotice.objects.filter(Exists(entries)).select_related("village")


def notice_candidates(user: User) -> QuerySet[Claim]:
    """Deliberated claims the user can see, ready to be listed on a notice."""
    return (
        visible_claims(user)
        .filter(status=Status.DELIBERATED)
        .order_by("household__village__code", "created_at", "id")
    )
