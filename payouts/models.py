"""Policy tables, the fund and its ledger, payments and payout certificates.

Money is ``Decimal`` yuan with two places. The fund's balance is kept on the
fund row and changed only by ``payouts.services``, which locks the row, writes
the ledger entry and updates the totals in one transaction. The CHECK
constraints below make the database reject an overspent fund even if some code
path forgot the lock.
"""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISASTER = "disaster", _("Disaster")
    SCHOOLING = "schooling", _("Schooling")


class NoticeDayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days (Monday to Friday)")


class Policy(models.Model):
    """The program's numbers for one year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    base_poverty_line = money_field(
        _("base poverty line (yuan per person per year)"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    income_line_multiple = models.DecimalField(
        _("income line as a multiple of the base line"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    notice_days = models.PositiveSmallIntegerField(
        _("public notice period (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    notice_day_kind = models.CharField(
        _("notice days are"),
        max_length=10,
        choices=NoticeDayKind.choices,
        default=NoticeDayKind.CALENDAR,
    )
    # Per-capita income already deducts the rigid expenditure, so a household
    # above the line always has an expenditure below its income before the
    # shock. The burden rule therefore compares the expenditure with a share
    # of that income; a ratio of 1 or more would never apply.
    burden_ratio = models.DecimalField(
        _("burden rule: share of income the rigid expenditure must exceed"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[
            MinValueValidator(Decimal("0.01")),
            MaxValueValidator(Decimal("0.99")),
        ],
        help_text=_(
            "A household above the income line with no stable income source "
            "still qualifies when its rigid expenditure exceeds this share of "
            "its net income before the shock (0.50: more than half)."
        ),
    )
    # Village deliberation needs this fraction of the members present, and of
    # those present agreeing; the default is two thirds for both.
    deliberation_numerator = models.PositiveSmallIntegerField(
        _("deliberation fraction numerator"), default=2
    )
    deliberation_denominator = models.PositiveSmallIntegerField(
        _("deliberation fraction denominator"), default=3
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(deliberation_denominator__gt=0)
                & Q(deliberation_numerator__lte=F("deliberation_denominator")),
                name="policy_deliberation_fraction_valid",
                violation_error_message=_(
                    "The deliberation fraction's numerator must not exceed its "
                    "denominator, and the denominator must be above 0."
                ),
            ),
            models.CheckConstraint(
                condition=Q(notice_days__gte=1) & Q(notice_days__lte=60),
                name="policy_notice_days_range",
                violation_error_message=_(
                    "The public notice period must be between 1 and 60 days."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def income_line(self) -> Decimal:
        line = self.base_poverty_line * self.income_line_multiple
        return line.quantize(FEN, rounding=ROUND_HALF_UP)


class BandMode(models.TextChoices):
    MARGINAL = "marginal", _("Marginal: each slice at its own band's rate")
    WHOLE = "whole", _("Whole amount: the amount's band sets one rate")


class PayoutScheme(models.Model):
    """The payout table of one cause in one policy year."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="schemes")
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    deductible = money_field(_("deductible"), validators=[MinValueValidator(0)])
    mode = models.CharField(
        _("mode"), max_length=10, choices=BandMode.choices, default=BandMode.MARGINAL
    )
    annual_cap = money_field(
        _("annual cap per household"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["policy", "cause"]
        verbose_name = _("payout scheme")
        verbose_name_plural = _("payout schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "cause"], name="payout_scheme_one_per_cause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy.year} {self.get_cause_display()}"


class PayoutBand(models.Model):
    """A range of the verified amount paid at one rate; no upper bound is open."""

    scheme = models.ForeignKey(
        PayoutScheme, on_delete=models.CASCADE, related_name="bands"
    )
    lower = money_field(_("from (yuan)"), validators=[MinValueValidator(0)])
    upper = money_field(_("to (yuan)"), null=True, blank=True)
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("A fraction: 0.5 pays half of the slice."),
    )

    class Meta:
        ordering = ["scheme", "lower"]
        verbose_name = _("payout band")
        verbose_name_plural = _("payout bands")
        constraints = [
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gt=F("lower")),
                name="payout_band_upper_above_lower",
                violation_error_message=_(
                    "A band's upper bound must be above its lower bound, or empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=1),
                name="payout_band_rate_fraction",
                violation_error_message=_("A band's rate must be between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        upper = self.upper if self.upper is not None else "∞"
        return f"{self.lower}–{upper} @ {self.rate}"


class Fund(models.Model):
    """The program year's money: total, reserved for approvals, disbursed."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    total = money_field(_("total"), validators=[MinValueValidator(0)])
    reserved = money_field(_("reserved"), default=Decimal("0.00"))
    disbursed = money_field(_("disbursed"), default=Decimal("0.00"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(disbursed__gte=0),
                name="fund_amounts_not_negative",
                violation_error_message=_(
                    "A fund's reserved and disbursed amounts must not be negative."
                ),
            ),
            models.CheckConstraint(
                condition=Q(total__gte=F("reserved") + F("disbursed")),
                name="fund_never_overspent",
                violation_error_message=_(
                    "A fund's total must cover its reserved and disbursed amounts."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> Decimal:
        return self.total - self.reserved - self.disbursed


class EntryKind(models.TextChoices):
    APPROPRIATION = "appropriation", _("Appropriation")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    DISBURSEMENT = "disbursement", _("Disbursement")


class LedgerEntry(models.Model):
    """One movement of the fund. Entries are only ever added, never changed."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = money_field(_("amount"))
    payment = models.ForeignKey(
        "payouts.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reference = models.CharField(_("document reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["fund", "created_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="ledger_entry_amount_positive",
                violation_error_message=_(
                    "A ledger entry's amount must be greater than zero."
                ),
            ),
            # An appropriation document is booked into a fund at most once.
            models.UniqueConstraint(
                fields=["fund", "reference"],
                condition=Q(kind="appropriation"),
                name="ledger_entry_one_appropriation_per_reference",
                violation_error_message=_(
                    "This document reference is already booked as an "
                    "appropriation to this fund."
                ),
            ),
            # A payment is reserved, released and disbursed at most once each.
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(payment__isnull=False),
                name="ledger_entry_once_per_payment_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class PaymentStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Payment(models.Model):
    """The payout of one claim; a claim has at most one."""

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.PROTECT, related_name="payment"
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    amount = money_field(_("amount"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PaymentStatus.choices,
        default=PaymentStatus.RESERVED,
    )
    # Inputs of the computation, kept so the amount can be explained later.
    computation = models.JSONField(_("computation"), default=dict)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_(
                    "A payment's amount must be greater than zero."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="payment_paid_has_time",
                violation_error_message=_("A paid payment must have a payment time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.amount}"


def new_certificate_code() -> str:
    return secrets.token_hex(8).upper()


class Certificate(models.Model):
    """The rendered payout certificate (防贫帮困金发放凭证) of a paid payment."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    # Printed on the certificate so anyone can check its authenticity.
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_certificate_code
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout certificate")
        verbose_name_plural = _("payout certificates")

    def __str__(self) -> str:
        return self.number
