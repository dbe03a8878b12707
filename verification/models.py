"""Home visits and their verification records.

A record keeps every input of the eligibility decision, the policy year it was
judged under and each comparison made (``decision``), so the reason for a
household's outcome can be shown later in plain words.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payouts.models import money_field


class Visit(models.Model):
    """A home visit the insurer's coordinator scheduled for an inspector."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="visits"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    planned_on = models.DateField(_("planned date"))
    vehicle = models.CharField(_("vehicle"), max_length=20, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self) -> str:
        return f"{self.claim} {self.planned_on}"


class Conclusion(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class Verification(models.Model):
    """The inspector's home check (入户核查) and the eligibility it gives."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="verifications"
    )
    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, related_name="verification"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visit date"))
    members_present = models.ManyToManyField(
        "registry.Member", verbose_name=_("members present"), related_name="+"
    )
    counted_members = models.PositiveSmallIntegerField(_("members who count"))
    production_costs = money_field(
        _("production and operating costs"),
        validators=[MinValueValidator(0)],
        default=Decimal("0.00"),
    )
    rigid_expenditure = money_field(
        _("rigid expenditure of the shock"), validators=[MinValueValidator(0)]
    )
    verified_amount = money_field(
        _("verified amount for the payout"),
        validators=[MinValueValidator(0)],
        help_text=_(
            "Out-of-pocket medical cost left after insurance and assistance, "
            "disaster loss, or schooling cost after aid."
        ),
    )
    stable_income = models.BooleanField(_("has a stable income source"))
    per_capita_income = money_field(_("per-capita net income"))
    conclusion = models.CharField(
        _("conclusion"), max_length=12, choices=Conclusion.choices
    )
    reason = models.TextField(_("reason"))
    policy = models.ForeignKey(
        "payouts.Policy", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.JSONField(_("decision details"), default=dict)
    notes = models.TextField(_("inspector's notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(counted_members__gt=0),
                name="verification_counted_members_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.visited_on}"


class IncomeCategory(models.TextChoices):
    WAGE = "wage", _("Wage income")
    OPERATING = "operating", _("Operating income")
    PROPERTY = "property", _("Property income")
    TRANSFER = "transfer", _("Transfer income")


class IncomeItem(models.Model):
    """One income of the 12 months before the claim, as the inspector found it."""

    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="income_items"
    )
    category = models.CharField(
        _("category"), max_length=12, choices=IncomeCategory.choices
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    amount = money_field(_("amount (yuan)"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["verification", "category", "id"]
        verbose_name = _("income item")
        verbose_name_plural = _("income items")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="income_item_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
