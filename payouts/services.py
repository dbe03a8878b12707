"""Approval, payment and cancellation of payouts, and the fund's ledger.

Locks are taken in one order: claim, household, payment, fund. The fund row
lock serialises every change to the fund's totals, and the CHECK constraint
``fund_never_overspent`` refuses an overspent fund even without it.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import permissions
from claims.models import Claim, Status
from claims.transitions import apply_transition, lock_claim, step_label
from payouts.bands import Band, Payout, Table, compute_payout
from payouts.models import (
    Certificate,
    EntryKind,
    Fund,
    LedgerEntry,
    Payment,
    PaymentStatus,
)
from payouts.money import MAX_AMOUNT, parse_amount
from payouts.policies import scheme_for
from registry.models import AreaLevel, Household, Role, User
from relief.errors import PermissionRefused, ServiceError

logger = logging.getLogger(__name__)


class FundExhausted(ServiceError):
    """Approving this payout would take the fund past its total."""

    code = "fund_exhausted"
    http_status = 409


class NothingToPay(ServiceError):
    code = "nothing_to_pay"
    http_status = 409


class FundMissing(ServiceError):
    code = "fund_missing"


def lock_fund(year: int) -> Fund:
    try:
        return Fund.objects.select_for_update().get(year=year)
    except Fund.DoesNotExist:
        raise FundMissing(
            _("No fund is set up for %(value)s.") % {"value": year},
            field="policy_year",
            value=year,
        ) from None


def paid_this_year(household_id: int, cause: str, year: int) -> Decimal:
    """Sum of the household's reserved and paid payouts for one cause and year."""
    total = Payment.objects.filter(
        claim__household_id=household_id,
        claim__cause=cause,
        claim__policy_year=year,
        status__in=[PaymentStatus.RESERVED, PaymentStatus.PAID],
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def compute_claim_payout(claim: Claim, verified_amount: Decimal) -> Payout:
    scheme = scheme_for(claim.policy_year, claim.cause)
    table = Table(
        deductible=scheme.deductible,
        bands=[Band(b.lower, b.upper, b.rate) for b in scheme.bands.all()],
        mode=scheme.mode,
        annual_cap=scheme.annual_cap,
    )
    already = paid_this_year(claim.household_id, claim.cause, claim.policy_year)
    try:
        return compute_payout(verified_amount, table, already)
    except ValueError as error:
        # The admin refuses such tables; one stored before that check pays
        # nothing until the poverty office corrects it.
        logger.error("invalid payout table %s: %s", scheme.pk, error)
        raise ServiceError(
            _("The %(year)s payout table for %(cause)s is invalid: %(reason)s")
            % {
                "year": claim.policy_year,
                "cause": scheme.get_cause_display(),
                "reason": error,
            },
            code="invalid_payout_table",
            field="cause",
            value=claim.cause,
        ) from error


def approve_claim(*, user: User, claim_id: int, note: str = "") -> Payment:
    """Approve a claim whose notice passed, and reserve its payout in the fund."""
    with transaction.atomic():
        claim = lock_claim(claim_id)
        Household.objects.select_for_update().get(pk=claim.household_id)
        # The status and permission checks come first, so a claim out of order
        # or a user without the role gets that error, not a payout error.
        apply_transition(claim, "approve", user, note)
        verification = claim.verifications.order_by("-created_at", "-id").first()
        if verification is None:
            raise NothingToPay(
                _("Claim %(number)s has no verification.") % {"number": claim.number}
            )
        payout = compute_claim_payout(claim, verification.verified_amount)
        if payout.amount <= 0:
            raise NothingToPay(
                _(
                    "Claim %(number)s pays nothing: the verified amount %(value)s "
                    "is within the deductible or the annual cap is used up."
                )
                % {"number": claim.number, "value": verification.verified_amount},
                field="verified_amount",
                value=verification.verified_amount,
            )
        fund = lock_fund(claim.policy_year)
        if payout.amount > fund.remaining:
            raise FundExhausted(
                _(
                    "The fund has %(remaining)s yuan left, less than the payout "
                    "of %(value)s yuan for claim %(number)s."
                )
                % {
                    "remaining": fund.remaining,
                    "value": payout.amount,
                    "number": claim.number,
                },
                field="amount",
                value=payout.amount,
            )
        payment = Payment.objects.create(
            claim=claim,
            fund=fund,
            amount=payout.amount,
            computation={
                "verified_amount": str(verification.verified_amount),
                "verification_id": verification.pk,
                **payout.as_dict(),
            },
            approved_by=user,
        )
        _move(fund, EntryKind.RESERVATION, payment, user, note)
    logger.info(
        "payout approved %s",
        payment.amount,
        extra={"claim_id": claim.pk, "payment_id": payment.pk},
    )
    return payment


def mark_paid(*, user: User, claim_id: int, bank_reference: str = "") -> Payment:
    """Record that the insurer paid the household; disburse it from the fund.

    Calling it again for a paid claim changes nothing and returns the payment,
    so a retried request or task never pays twice.
    """
    from payouts.tasks import render_certificate

    with transaction.atomic():
        claim = lock_claim(claim_id)
        if claim.status == Status.PAID:
            # A retry: the payment is done, so return it to the role that may pay.
            if not permissions.insurer_coordinator(claim, user):
                raise PermissionRefused(
                    _("%(user)s may not take the step “%(step)s” on claim %(number)s.")
                    % {
                        "user": user.get_username(),
                        "step": step_label("mark_paid"),
                        "number": claim.number,
                    }
                )
            return _lock_payment(claim)
        # Checked before the payment, so a claim not approved gets the status error.
        apply_transition(claim, "mark_paid", user, bank_reference)
        payment = _lock_payment(claim)
        fund = Fund.objects.select_for_update().get(pk=payment.fund_id)
        _move(fund, EntryKind.DISBURSEMENT, payment, user, bank_reference)
        payment.status = PaymentStatus.PAID
        payment.paid_by = user
        payment.paid_at = timezone.now()
        payment.bank_reference = bank_reference
        payment.save(update_fields=["status", "paid_by", "paid_at", "bank_reference"])
        certificate = Certificate.objects.create(
            payment=payment,
            number=f"PZ{claim.policy_year}{payment.pk:07d}",
        )
        render_certificate.delay_on_commit(certificate.pk)
    logger.info(
        "payout paid %s",
        payment.amount,
        extra={"claim_id": claim.pk, "payment_id": payment.pk},
    )
    return payment


def cancel_approval(*, user: User, claim_id: int, note: str) -> Payment:
    """Cancel an approved, unpaid payout and release its reservation."""
    if not note.strip():
        raise ServiceError(
            _("A reason is required to cancel an approval."),
            code="reason_required",
            field="note",
            value=note,
        )
    with transaction.atomic():
        claim = lock_claim(claim_id)
        apply_transition(claim, "cancel_approval", user, note)
        payment = _lock_payment(claim)
        fund = Fund.objects.select_for_update().get(pk=payment.fund_id)
        _move(fund, EntryKind.RELEASE, payment, user, note)
        payment.status = PaymentStatus.CANCELLED
        payment.save(update_fields=["status"])
    return payment


def appropriate(
    *, user: User, fund_id: int, amount: object, reference: str
) -> LedgerEntry:
    """Add money to the fund (a government top-up) against a document.

    Only a city or province poverty office may do so, because the fund serves
    the whole program. A document reference is booked into a fund only once.
    """
    if not may_appropriate(user):
        raise PermissionRefused(
            _(
                "Only a city or province poverty office may top up the fund, "
                "because the fund serves the whole program."
            )
        )
    value = parse_amount(amount, "amount")
    reference = reference.strip()
    if not reference:
        raise ServiceError(
            _("A document reference is required."),
            code="reference_required",
            field="reference",
            value=reference,
        )
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund_id)
        _check_appropriation(fund, value, reference)
        Fund.objects.filter(pk=fund.pk).update(total=F("total") + value)
        entry = LedgerEntry.objects.create(
            fund=fund,
            kind=EntryKind.APPROPRIATION,
            amount=value,
            reference=reference,
            created_by=user,
        )
    logger.info(
        "fund appropriation %s",
        value,
        extra={"fund_id": fund.pk, "entry_id": entry.pk, "reference": reference},
    )
    return entry


def may_appropriate(user: User) -> bool:
    if not user.has_role(Role.POVERTY_OFFICE) or user.area is None:
        return False
    return user.area.level in (AreaLevel.CITY, AreaLevel.PROVINCE)


def _check_appropriation(fund: Fund, value: Decimal, reference: str) -> None:
    """Raise ServiceError for a reference already booked or a total past the
    money column's maximum. The caller holds the fund's row lock."""
    booked = LedgerEntry.objects.filter(
        fund=fund, kind=EntryKind.APPROPRIATION, reference=reference
    )
    if booked.exists():
        raise ServiceError(
            _(
                "Document %(value)s is already booked as an appropriation to "
                "%(fund)s. Check the reference, or use the new document's number."
            )
            % {"value": reference, "fund": fund.name},
            code="duplicate_reference",
            field="reference",
            value=reference,
        )
    if fund.total + value > MAX_AMOUNT:
        raise ServiceError(
            _(
                "The amount %(value)s would bring the fund's total from %(total)s to "
                "more than the maximum of %(max)s yuan."
            )
            % {"value": value, "total": fund.total, "max": MAX_AMOUNT},
            code="amount_too_large",
            field="amount",
            value=value,
        )


def _lock_payment(claim: Claim) -> Payment:
    try:
        return Payment.objects.select_for_update().get(claim=claim)
    except Payment.DoesNotExist:
        raise ServiceError(
            _("Claim %(number)s has no approved payout.") % {"number": claim.number},
            code="payment_missing",
        ) from None


def _move(fund: Fund, kind: str, payment: Payment, user: User, note: str) -> None:
    """Write a ledger entry for ``payment`` and apply it to the fund's totals.

    The caller holds the fund's row lock.
    """
    amount = payment.amount
    # SQLite stores decimals as binary floats, so sums drift by ~1e-11 and a
    # fully disbursed reservation would go just below zero and fail the CHECK.
    # Rounding to the fen in SQL keeps stored totals exact on every backend.
    changes = {
        EntryKind.RESERVATION: {"reserved": Round(F("reserved") + amount, 2)},
        EntryKind.RELEASE: {"reserved": Round(F("reserved") - amount, 2)},
        EntryKind.DISBURSEMENT: {
            "reserved": Round(F("reserved") - amount, 2),
            "disbursed": Round(F("disbursed") + amount, 2),
        },
    }[kind]
    Fund.objects.filter(pk=fund.pk).update(**changes)
    LedgerEntry.objects.create(
        fund=fund, kind=kind, amount=amount, payment=payment, note=note, created_by=user
    )
