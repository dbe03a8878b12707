"""Reads of funds, payments and certificates for the pages and the API.

Claims are always reached through ``claims.selectors.visible_claims``. Funds
belong to the whole program rather than to an area, so they are shown by
role: the poverty office, the insurer's coordinator and the auditor.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from claims.models import Claim
from claims.selectors import visible_claims
from payouts.bands import Payout
from payouts.models import FEN, Certificate, Fund, LedgerEntry, Payment, PaymentStatus
from payouts.services import compute_claim_payout
from registry.models import Role, User
from relief.errors import ServiceError
from verification.models import Verification
from verification.selectors import latest_verification

FUND_ROLES = (Role.POVERTY_OFFICE, Role.INSURER_COORDINATOR, Role.AUDITOR)
# The household's village clerk, the poverty office of its area and the
# insurer's coordinator may download a payout certificate.
CERTIFICATE_ROLES = (Role.VILLAGE_CLERK, Role.POVERTY_OFFICE, Role.INSURER_COORDINATOR)


def visible_funds(user: User) -> QuerySet[Fund]:
    if not user.is_authenticated or not user.has_role(*FUND_ROLES):
        return Fund.objects.none()
    return Fund.objects.order_by("-year")


def ledger_entries(fund: Fund, kind: str = "") -> QuerySet[LedgerEntry]:
    """Return the fund's entries, newest first, with their claims."""
    entries = fund.entries.select_related("payment__claim", "created_by")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-created_at", "-id")


@dataclass
class PayoutPreview:
    """The payout that approving a claim would reserve, computed without
    changing anything."""

    verification: Verification | None
    payout: Payout | None
    fund: Fund | None
    error: ServiceError | None

    @property
    def exceeds_fund(self) -> bool:
        if self.payout is None or self.fund is None:
            return False
        return self.payout.amount > self.fund.remaining

    @property
    def uncapped(self) -> str:
        return exact_yuan(str(self.payout.uncapped)) if self.payout else ""

    @property
    def rows(self) -> list["SliceRow"]:
        return slice_rows(self.payout.slices) if self.payout else []


@dataclass
class SliceRow:
    lower: str
    upper: str
    rate_percent: str
    amount: str


def slice_rows(slices: list[dict[str, str]]) -> list[SliceRow]:
    """Format the computation's slices for a page: rates in percent, exact
    amounts."""
    return [
        SliceRow(
            lower=exact_yuan(part["from"]),
            upper=exact_yuan(part["to"]),
            rate_percent=exact_yuan(str(Decimal(part["rate"]) * 100), places=False),
            amount=exact_yuan(part["amount"]),
        )
        for part in slices
    ]


def exact_yuan(value: str, *, places: bool = True) -> str:
    """Format yuan to the fen when that is exact, else in full, never rounded.

    5000.0000 gives 5000.00 and 1234.5675 stays 1234.5675.
    """
    amount = Decimal(value)
    if amount == amount.quantize(FEN):
        return str(amount.quantize(FEN)) if places else f"{amount.normalize():f}"
    return f"{amount.normalize():f}"


def payout_preview(claim: Claim) -> PayoutPreview:
    verification = latest_verification(claim)
    if verification is None:
        return PayoutPreview(None, None, None, None)
    try:
        payout = compute_claim_payout(claim, verification.verified_amount)
    except ServiceError as error:
        return PayoutPreview(verification, None, None, error)
    fund = Fund.objects.filter(year=claim.policy_year).first()
    return PayoutPreview(verification, payout, fund, None)


def payment_of(claim: Claim) -> Payment | None:
    return (
        Payment.objects.filter(claim=claim)
        .select_related("fund", "approved_by", "paid_by")
        .first()
    )


def downloadable_certificate(
    user: User, *, claim_pk: int | None = None, certificate_pk: int | None = None
) -> Certificate | None:
    """Return the certificate if the user may download it, else None."""
    if not user.is_authenticated or not user.has_role(*CERTIFICATE_ROLES):
        return None
    certificates = Certificate.objects.filter(
        payment__claim__in=visible_claims(user)
    ).select_related("payment__claim")
    if claim_pk is not None:
        certificates = certificates.filter(payment__claim_id=claim_pk)
    if certificate_pk is not None:
        certificates = certificates.filter(pk=certificate_pk)
    return certificates.first()


def find_certificate(number: str, code: str) -> Certificate | None:
    """Return the paid payout's certificate whose number and code both match."""
    certificate = (
        Certificate.objects.filter(number=number, payment__status=PaymentStatus.PAID)
        .select_related("payment__claim__household")
        .first()
    )
    if certificate is None:
        return None
    # Bytes, because compare_digest rejects non-ASCII text from the form.
    if not secrets.compare_digest(
        certificate.verification_code.encode(), code.encode()
    ):
        return None
    return certificate


def mask_name(name: str) -> str:
    """Keep the surname (the first character) and hide the given name: 张*."""
    return f"{name[:1]}*" if name else "*"
