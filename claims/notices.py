"""Public notices (公示) and objections (异议).

A notice's period is counted on the Asia/Shanghai calendar, and the day it is
opened is its first day. With calendar days the last day is the first plus
``notice_days - 1``. With working days only Monday to Friday count, and a
notice opened on a weekend starts on the next Monday. The notice may close
from midnight (Beijing time) after its last day, and the scheduled duty
``close_due_notices`` closes every notice past that instant.
"""

import datetime
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import (
    Claim,
    NoticeEntry,
    Objection,
    ObjectionStatus,
    PublicNotice,
    Status,
)
from claims.transitions import apply_transition, lock_claim
from payouts.models import NoticeDayKind
from payouts.policies import policy_for_year
from registry.models import Role, User
from relief.dates import reject_future_date
from relief.errors import PermissionRefused, ServiceError

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")


def notice_period(
    opened_at: datetime.datetime, days: int, kind: str
) -> tuple[datetime.date, datetime.date, datetime.datetime]:
    """Return the first day, last day and closing instant of a notice."""
    if days < 1:
        raise ValueError(f"a notice period needs at least one day, not {days}")
    first = opened_at.astimezone(BEIJING).date()
    if kind == NoticeDayKind.WORKING:
        # NOTE: public holidays are not known here, only weekends are skipped.
        while first.weekday() >= 5:
            first += datetime.timedelta(days=1)
        last = first
        counted = 1
        while counted < days:
            last += datetime.timedelta(days=1)
            if last.weekday() < 5:
                counted += 1
    else:
        last = first + datetime.timedelta(days=days - 1)
    closes_at = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=BEIJING
    )
    return first, last, closes_at


def open_notice(*, user: User, claim_ids: Sequence[int]) -> PublicNotice:
    """Post one notice listing deliberated claims of one village."""
    from claims.tasks import render_notice_pdf
    from payouts.services import compute_claim_payout

    if not claim_ids:
        raise ServiceError(
            _("Choose at least one claim for the notice."),
            code="no_claims",
            field="claim_ids",
            value=[],
        )
    opened_at = timezone.now()
    with transaction.atomic():
        # Sorted ids give every transaction the same lock order.
        claims = [lock_claim(claim_id) for claim_id in sorted(set(claim_ids))]
        villages = {claim.household.village_id for claim in claims}
        if len(villages) != 1:
            raise ServiceError(
                _("A notice lists claims of one village only."),
                code="mixed_villages",
                field="claim_ids",
                value=sorted(set(claim_ids)),
            )
        policy = policy_for_year(claims[0].policy_year)
        first, last, closes_at = notice_period(
            opened_at, policy.notice_days, policy.notice_day_kind
        )
        notice = PublicNotice.objects.create(
            village=claims[0].household.village,
            number=f"new-{opened_at.timestamp():.6f}"[:24],
            starts_on=first,
            ends_on=last,
            closes_at=closes_at,
            opened_by=user,
            opened_at=opened_at,
        )
        notice.number = f"GS{first:%Y%m%d}{notice.pk:05d}"
        PublicNotice.objects.filter(pk=notice.pk).update(number=notice.number)
        for claim in claims:
            note = _("Notice %(number)s, %(first)s to %(last)s") % {
                "number": notice.number,
                "first": first,
                "last": last,
            }
            # The transition comes first: only a deliberated claim, which has
            # an eligible verification, may go on a notice.
            apply_transition(claim, "post_notice", user, note)
            verification = claim.verifications.order_by("-created_at", "-id").first()
            if verification is None:
                raise ServiceError(
                    _("Claim %(number)s has no verification.")
                    % {"number": claim.number},
                    code="verification_missing",
                    field="claim_ids",
                    value=claim.pk,
                )
            amount = compute_claim_payout(claim, verification.verified_amount).amount
            NoticeEntry.objects.create(notice=notice, claim=claim, amount=amount)
        render_notice_pdf.delay_on_commit(notice.pk)
    logger.info("notice opened %s", notice.number, extra={"notice_id": notice.pk})
    return notice


def close_due_notices(now: datetime.datetime | None = None) -> int:
    """Close every open notice whose period has ended; return how many closed."""
    now = now or timezone.now()
    due = PublicNotice.objects.filter(closed_at__isnull=True, closes_at__lte=now)
    closed = 0
    for notice_id in due.values_list("pk", flat=True):
        if close_notice(notice_id, now):
            closed += 1
    return closed


def close_notice(notice_id: int, now: datetime.datetime | None = None) -> bool:
    """Close one notice and pass its claims that have no pending objection.

    Return False when it was already closed or its period has not ended, so a
    repeated run changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notice = PublicNotice.objects.select_for_update().get(pk=notice_id)
        if notice.closed_at is not None or now < notice.closes_at:
            return False
        notice.closed_at = now
        notice.save(update_fields=["closed_at"])
        for entry in notice.entries.order_by("claim_id"):
            _pass_if_clear(entry)
    logger.info("notice closed %s", notice.number, extra={"notice_id": notice.pk})
    return True


def _pass_if_clear(entry: NoticeEntry) -> None:
    claim = lock_claim(entry.claim_id)
    if claim.status != Status.ON_NOTICE:
        return
    # After an upheld objection and a new verification the claim is on a later
    # notice, and only that notice's period and objections decide its passing.
    if current_entry(claim).pk != entry.pk:
        return
    if entry.objections.filter(status=ObjectionStatus.PENDING).exists():
        return
    apply_transition(
        claim,
        "pass_notice",
        None,
        _("Notice %(number)s ended with no upheld objection.")
        % {"number": entry.notice.number},
    )


def current_entry(claim: Claim) -> NoticeEntry:
    entry = claim.notice_entries.select_related("notice").order_by("-id").first()
    if entry is None:
        raise ServiceError(
            _("Claim %(number)s is not on a notice.") % {"number": claim.number},
            code="not_on_notice",
        )
    return entry


def record_objection(
    *,
    user: User,
    claim_id: int,
    raised_on: datetime.date,
    raised_by: str,
    content: str,
) -> Objection:
    """Record an objection raised in the village while the notice is open."""
    if not content.strip():
        raise ServiceError(
            _("The objection's content is required."),
            code="content_required",
            field="content",
            value=content,
        )
    reject_future_date(raised_on, "raised_on", _("objection date"))
    with transaction.atomic():
        claim = lock_claim(claim_id)
        if not (
            user.has_role(Role.VILLAGE_CLERK, Role.POVERTY_OFFICE)
            and user.can_see_area(claim.household.village)
        ):
            raise PermissionRefused(
                _("%(user)s may not record objections for claim %(number)s.")
                % {"user": user.get_username(), "number": claim.number}
            )
        entry = current_entry(claim)
        if claim.status != Status.ON_NOTICE or not entry.notice.is_open:
            raise ServiceError(
                _("Claim %(number)s is not on an open notice.")
                % {"number": claim.number},
                code="not_on_notice",
                field="status",
                value=claim.status,
            )
        if not entry.notice.starts_on <= raised_on <= entry.notice.ends_on:
            raise ServiceError(
                _(
                    "The date %(value)s is outside the notice period "
                    "%(first)s to %(last)s."
                )
                % {
                    "value": raised_on,
                    "first": entry.notice.starts_on,
                    "last": entry.notice.ends_on,
                },
                code="invalid_date",
                field="raised_on",
                value=raised_on,
            )
        return Objection.objects.create(
            entry=entry,
            raised_on=raised_on,
            raised_by=raised_by,
            content=content,
            recorded_by=user,
        )


def resolve_objection(
    *, user: User, objection_id: int, upheld: bool, resolution: str
) -> Objection:
    """Uphold or dismiss an objection.

    An upheld objection sends the claim back to verification. A dismissed one
    lets the claim pass when its notice has closed and nothing else is pending.
    """
    if not resolution.strip():
        raise ServiceError(
            _("The resolution is required."),
            code="resolution_required",
            field="resolution",
            value=resolution,
        )
    claim_id = Objection.objects.values_list("entry__claim_id", flat=True).get(
        pk=objection_id
    )
    with transaction.atomic():
        claim = lock_claim(claim_id)
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.status != ObjectionStatus.PENDING:
            raise ServiceError(
                _("This objection is already resolved."),
                code="objection_resolved",
                field="status",
                value=objection.status,
            )
        if not (
            user.has_role(Role.POVERTY_OFFICE)
            and user.can_see_area(claim.household.village)
        ):
            raise PermissionRefused(
                _("Only the poverty office may resolve objections.")
            )
        objection.status = (
            ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        )
        objection.resolution = resolution
        objection.resolved_by = user
        objection.resolved_at = timezone.now()
        objection.save(
            update_fields=["status", "resolution", "resolved_by", "resolved_at"]
        )
        # A claim that left the notice (rejected, withdrawn, or sent back by
        # another objection) keeps its status: the resolution is only recorded.
        if claim.status == Status.ON_NOTICE:
            if upheld:
                apply_transition(claim, "uphold_objection", user, resolution)
            elif not objection.entry.notice.is_open:
                _pass_if_clear(objection.entry)
    return objection
