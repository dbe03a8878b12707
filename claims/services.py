"""Steps of a claim before and after verification: registration, reviews,
referral, deliberation, rejection and withdrawal.

Each function is one transaction: it locks the claim, checks role, area and
state through the claim's transition, writes the change and its log row.
Notices and objections are in ``claims.notices``; visits and home checks in
``verification.services``; approval and payment in ``payouts.services``.
"""

import datetime
import logging
from collections.abc import Iterable
from fractions import Fraction

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import (
    FINAL_STATUSES,
    Channel,
    Claim,
    ClaimDocument,
    Deliberation,
)
from claims.transitions import apply_transition, lock_claim, log_creation
from payouts.models import Cause
from payouts.money import parse_amount
from payouts.policies import policy_for_year
from registry.models import Household, Role, User
from relief.dates import reject_future_date
from relief.errors import PermissionRefused, ServiceError

logger = logging.getLogger(__name__)

# Extension => (leading bytes that the content must start with, type name).
DOCUMENT_TYPES = {
    ".pdf": (b"%PDF-", "PDF"),
    ".png": (b"\x89PNG\r\n\x1a\n", "PNG"),
    ".jpg": (b"\xff\xd8\xff", "JPEG"),
    ".jpeg": (b"\xff\xd8\xff", "JPEG"),
}
ALLOWED_DOCUMENT_TYPES = set(DOCUMENT_TYPES)
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Committee counts are stored in PositiveSmallIntegerField columns, and no
# village committee comes near this bound.
MAX_COMMITTEE_MEMBERS = 999


def register_application(
    *,
    user: User,
    household: Household,
    cause: str,
    amount_claimed: object,
    description: str = "",
    documents: Iterable[UploadedFile] = (),
) -> Claim:
    """Register a household's application at its village committee."""
    if not (user.has_role(Role.VILLAGE_CLERK) and user.can_see_area(household.village)):
        raise PermissionRefused(
            _("Only the clerk of %(village)s may register its applications.")
            % {"village": household.village.name}
        )
    if cause not in Cause.values:
        raise ServiceError(
            _("Unknown cause: %(value)s") % {"value": cause},
            code="invalid_cause",
            field="cause",
            value=cause,
        )
    amount = parse_amount(amount_claimed, "amount_claimed")
    documents = list(documents)
    for document in documents:
        validate_document(document)
    year = timezone.localdate().year
    policy_for_year(year)

    with transaction.atomic():
        # The household's row lock makes concurrent registrations for one
        # household wait here, so the duplicate check reads committed claims.
        Household.objects.select_for_update().get(pk=household.pk)
        _reject_duplicate(household, cause, year)
        claim = Claim.objects.create(
            number=_provisional_number(),
            household=household,
            cause=cause,
            channel=Channel.APPLICATION,
            amount_claimed=amount,
            policy_year=year,
            description=description,
            created_by=user,
        )
        claim.number = f"{year}{claim.pk:07d}"
        Claim.objects.filter(pk=claim.pk).update(number=claim.number)
        for document in documents:
            ClaimDocument.objects.create(
                claim=claim, file=document, title=document.name, uploaded_by=user
            )
        log_creation(claim, user, _("Application registered at the village."))
    logger.info("claim registered", extra={"claim_id": claim.pk, "user_id": user.pk})
    return claim


def _reject_duplicate(household: Household, cause: str, year: int) -> None:
    """Raise ServiceError when the household has an open claim of ``cause`` in
    policy year ``year``. The caller holds the household's row lock."""
    existing = (
        Claim.objects.filter(household=household, cause=cause, policy_year=year)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("created_at", "pk")
        .first()
    )
    if existing is not None:
        raise ServiceError(
            _(
                "The household already has open claim %(number)s for this cause "
                "in %(year)s; continue that claim instead of registering a new one."
            )
            % {"number": existing.number, "year": year},
            code="duplicate_claim",
            field="household",
            value=household.pk,
        )


def _provisional_number() -> str:
    # Replaced by the year and the primary key in the same transaction.
    return f"new-{timezone.now().timestamp():.6f}"[:20]


def validate_document(document: UploadedFile) -> None:
    """Raise ServiceError unless the file's extension is PDF, JPEG or PNG, its
    leading bytes match that extension and it is at most 10 MB."""
    name = document.name or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in ALLOWED_DOCUMENT_TYPES:
        raise ServiceError(
            _("Document %(value)s is not a PDF, JPEG or PNG file.") % {"value": name},
            code="invalid_document",
            field="documents",
            value=name,
        )
    if document.size > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            _("Document %(value)s is larger than 10 MB.") % {"value": name},
            code="invalid_document",
            field="documents",
            value=name,
        )

    magic, type_name = DOCUMENT_TYPES[suffix]
    document.seek(0)
    head = document.read(len(magic))
    # Rewind, so the whole file is stored, not what follows the magic bytes.
    document.seek(0)
    if head != magic:
        raise ServiceError(
            _("The content of document %(value)s is not a %(type)s file.")
            % {"value": name, "type": type_name},
            code="invalid_document",
            field="documents",
            value=name,
        )


def add_document(*, user: User, claim_id: int, document: UploadedFile) -> ClaimDocument:
    validate_document(document)
    with transaction.atomic():
        claim = lock_claim(claim_id)
        may_add = user.has_role(Role.VILLAGE_CLERK) and user.can_see_area(
            claim.household.village
        )
        if claim.is_final or not may_add:
            raise PermissionRefused(
                _("Documents cannot be added to claim %(number)s.")
                % {"number": claim.number}
            )
        return ClaimDocument.objects.create(
            claim=claim, file=document, title=document.name, uploaded_by=user
        )


def take_step(*, user: User, claim_id: int, step: str, note: str = "") -> Claim:
    """Apply a transition that needs no data beyond a note.

    These are the reviews, screening, referral, rejection and withdrawal.
    """
    if step not in SIMPLE_STEPS:
        raise ServiceError(
            _("Unknown step: %(value)s") % {"value": step},
            code="unknown_step",
            field="step",
            value=step,
        )
    if step in STEPS_NEEDING_REASON and not note.strip():
        raise ServiceError(
            _("A reason is required for this step."),
            code="reason_required",
            field="note",
            value=note,
        )
    with transaction.atomic():
        claim = lock_claim(claim_id)
        apply_transition(claim, step, user, note)
    logger.info("claim step %s", step, extra={"claim_id": claim.pk, "user_id": user.pk})
    return claim


SIMPLE_STEPS = {
    "review_in_village",
    "review_in_town",
    "screen_in",
    "screen_out",
    "refer",
    "reject",
    "withdraw",
}
STEPS_NEEDING_REASON = {"screen_out", "reject", "withdraw"}


def record_deliberation(
    *,
    user: User,
    claim_id: int,
    held_on: datetime.date,
    members_total: int,
    members_present: int,
    members_agreeing: int,
    attendees: str,
    minutes: str,
) -> Deliberation:
    """Record the village meeting on a verified claim.

    A meeting that misses the quorum or the majority, both the policy's
    fraction (two thirds by default), is recorded and rejects the claim.
    """
    _check_counts(members_total, members_present, members_agreeing)
    reject_future_date(held_on, "held_on", _("meeting date"))
    with transaction.atomic():
        claim = lock_claim(claim_id)
        _reject_meeting_before_visit(claim, held_on)
        policy = policy_for_year(claim.policy_year)
        fraction = Fraction(
            policy.deliberation_numerator, policy.deliberation_denominator
        )
        quorum = Fraction(members_present, members_total) >= fraction
        agreed = (
            members_present > 0
            and Fraction(members_agreeing, members_present) >= fraction
        )
        passed = quorum and agreed
        if passed:
            apply_transition(claim, "record_deliberation", user, minutes)
        elif not quorum:
            apply_transition(
                claim, "reject", user, _("Village deliberation missed the quorum.")
            )
        else:
            apply_transition(
                claim, "reject", user, _("Village deliberation did not agree.")
            )
        return Deliberation.objects.create(
            claim=claim,
            held_on=held_on,
            members_total=members_total,
            members_present=members_present,
            members_agreeing=members_agreeing,
            attendees=attendees,
            minutes=minutes,
            passed=passed,
            recorded_by=user,
        )


def _reject_meeting_before_visit(claim: Claim, held_on: datetime.date) -> None:
    latest = claim.verifications.order_by("-created_at", "-id").first()
    if latest is not None and held_on < latest.visited_on:
        raise ServiceError(
            _("The meeting date %(value)s is before the home check on %(visited)s.")
            % {"value": held_on, "visited": latest.visited_on},
            code="invalid_date",
            field="held_on",
            value=held_on,
        )


def _check_counts(total: int, present: int, agreeing: int) -> None:
    for field, value in (
        ("members_total", total),
        ("members_present", present),
        ("members_agreeing", agreeing),
    ):
        if value < 0:
            raise ServiceError(
                _("%(field)s must not be negative: %(value)s")
                % {"field": field, "value": value},
                code="invalid_count",
                field=field,
                value=value,
            )
        if value > MAX_COMMITTEE_MEMBERS:
            raise ServiceError(
                _("%(field)s must be at most %(max)s, not %(value)s.")
                % {"field": field, "max": MAX_COMMITTEE_MEMBERS, "value": value},
                code="invalid_count",
                field=field,
                value=value,
            )
    if total == 0:
        raise ServiceError(
            _("The committee must have at least one member, not %(value)s.")
            % {"value": total},
            code="invalid_count",
            field="members_total",
            value=total,
        )
    if present > total:
        raise ServiceError(
            _("Members present (%(value)s) exceed the committee (%(total)s).")
            % {"value": present, "total": total},
            code="invalid_count",
            field="members_present",
            value=present,
        )
    if agreeing > present:
        raise ServiceError(
            _("Members agreeing (%(value)s) exceed those present (%(present)s).")
            % {"value": agreeing, "present": present},
            code="invalid_count",
            field="members_agreeing",
            value=agreeing,
        )
