"""Claims and their state machine, documents, deliberations, notices, objections.

``Claim.status`` belongs to django-fsm: it is ``protected``, so only the
transition methods below change it. Each transition names the role that may
take it (see ``claims.permissions``) and is logged by django-fsm-log with the
actor, time and note. ``claims.services`` locks the row and checks the
permission before calling a transition; nothing else calls them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from claims import permissions
from payouts.models import Cause, money_field


class Channel(models.TextChoices):
    APPLICATION = "application", _("Application")
    REFERRAL = "referral", _("Referral")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VILLAGE_REVIEWED = "village_reviewed", _("Reviewed by village")
    TOWN_REVIEWED = "town_reviewed", _("Reviewed by town")
    IMPORTED = "imported", _("Imported referral")
    SCREENED = "screened", _("Screened")
    REFERRED = "referred", _("Referred to insurer")
    SCHEDULED = "scheduled", _("Visit scheduled")
    VERIFIED = "verified", _("Verified eligible")
    CLOSED_INELIGIBLE = "closed_ineligible", _("Closed: not eligible")
    DELIBERATED = "deliberated", _("Deliberated")
    ON_NOTICE = "on_notice", _("On public notice")
    NOTICE_PASSED = "notice_passed", _("Notice passed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SCREENED_OUT = "screened_out", _("Screened out")


FINAL_STATUSES = {
    Status.CLOSED_INELIGIBLE,
    Status.PAID,
    Status.REJECTED,
    Status.WITHDRAWN,
    Status.SCREENED_OUT,
}
# Open states from which a claim may still be rejected or withdrawn. Approved
# claims hold a fund reservation and leave only by payment.
STOPPABLE_STATUSES = [
    status
    for status in Status
    if status not in FINAL_STATUSES and status != Status.APPROVED
]
APPLICATION_REVIEW_STATUSES = [
    Status.SUBMITTED,
    Status.VILLAGE_REVIEWED,
    Status.TOWN_REVIEWED,
]


def _transition(**kwargs):
    """Apply django-fsm's transition with django-fsm-log's actor and note.

    The decorated method is called as ``method(by=user, description=note)``.
    """

    def decorate(method):
        return fsm_log_by(
            fsm_log_description(transition(field="status", **kwargs)(method))
        )

    return decorate


class Claim(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("claim number"), max_length=20, unique=True)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    amount_claimed = money_field(
        _("amount claimed (yuan)"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    policy_year = models.PositiveSmallIntegerField(_("policy year"))
    description = models.TextField(_("description"), blank=True)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.SUBMITTED,
        protected=True,
        db_index=True,
    )
    # Why the claim was rejected, withdrawn, screened out or found ineligible.
    closing_reason = models.TextField(_("closing reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__gt=0), name="claim_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def current_visit(self):
        return self.visits.order_by("-scheduled_at", "-id").first()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    # Application channel -------------------------------------------------

    @_transition(
        source=Status.SUBMITTED,
        target=Status.VILLAGE_REVIEWED,
        permission=permissions.village_clerk,
    )
    def review_in_village(self, by=None, description=None) -> None:
        """The village committee checked the application and its documents."""

    @_transition(
        source=Status.VILLAGE_REVIEWED,
        target=Status.TOWN_REVIEWED,
        permission=permissions.town_reviewer,
    )
    def review_in_town(self, by=None, description=None) -> None:
        """The town checked the village's review."""

    # Referral channel ----------------------------------------------------

    @_transition(
        source=Status.IMPORTED,
        target=Status.SCREENED,
        permission=permissions.town_reviewer,
    )
    def screen_in(self, by=None, description=None) -> None:
        """The town kept the referral row for a home check."""

    @_transition(
        source=Status.IMPORTED,
        target=Status.SCREENED_OUT,
        permission=permissions.town_reviewer,
    )
    def screen_out(self, by=None, description=None) -> None:
        """The town found the referral row obviously ineligible."""
        self.closing_reason = description or ""

    # Verification ---------------------------------------------------------

    @_transition(
        source=[Status.TOWN_REVIEWED, Status.SCREENED],
        target=Status.REFERRED,
        permission=permissions.poverty_office,
    )
    def refer(self, by=None, description=None) -> None:
        """The poverty office handed the claim to the insurer."""

    @_transition(
        source=Status.REFERRED,
        target=Status.SCHEDULED,
        permission=permissions.insurer_coordinator,
    )
    def schedule_visit(self, by=None, description=None) -> None:
        """The insurer's coordinator assigned a home visit to an inspector."""

    @_transition(
        source=Status.SCHEDULED,
        target=Status.VERIFIED,
        permission=permissions.assigned_inspector,
    )
    def verify_eligible(self, by=None, description=None) -> None:
        """The home check found the household eligible."""

    @_transition(
        source=Status.SCHEDULED,
        target=Status.CLOSED_INELIGIBLE,
        permission=permissions.assigned_inspector,
    )
    def verify_ineligible(self, by=None, description=None) -> None:
        """The home check found the household not eligible."""
        self.closing_reason = description or ""

    # Deliberation, notice, approval, payment ------------------------------

    @_transition(
        source=Status.VERIFIED,
        target=Status.DELIBERATED,
        permission=permissions.village_clerk,
    )
    def record_deliberation(self, by=None, description=None) -> None:
        """The village deliberation agreed with quorum."""

    @_transition(
        source=Status.DELIBERATED,
        target=Status.ON_NOTICE,
        permission=permissions.village_or_poverty_office,
    )
    def post_notice(self, by=None, description=None) -> None:
        """The claim is listed on a public notice in its village."""

    @_transition(source=Status.ON_NOTICE, target=Status.NOTICE_PASSED)
    def pass_notice(self, by=None, description=None) -> None:
        """The notice period ended with no upheld objection (a scheduled duty)."""

    @_transition(
        source=Status.ON_NOTICE,
        target=Status.REFERRED,
        permission=permissions.poverty_office,
    )
    def uphold_objection(self, by=None, description=None) -> None:
        """An upheld objection sends the claim back to verification."""

    @_transition(
        source=Status.NOTICE_PASSED,
        target=Status.APPROVED,
        permission=permissions.poverty_office,
    )
    def approve(self, by=None, description=None) -> None:
        """The poverty office approved the payout; the fund holds it reserved."""

    @_transition(
        source=Status.APPROVED,
        target=Status.PAID,
        permission=permissions.insurer_coordinator,
    )
    def mark_paid(self, by=None, description=None) -> None:
        """The insurer paid the household from the fund."""

    @_transition(
        source=Status.APPROVED,
        target=Status.REJECTED,
        permission=permissions.poverty_office,
    )
    def cancel_approval(self, by=None, description=None) -> None:
        """The poverty office cancelled an unpaid approval; the fund releases it."""
        self.closing_reason = description or ""

    # Leaving early ---------------------------------------------------------

    @_transition(
        source=STOPPABLE_STATUSES,
        target=Status.REJECTED,
        permission=permissions.any_reviewer,
    )
    def reject(self, by=None, description=None) -> None:
        self.closing_reason = description or ""

    @_transition(
        source=STOPPABLE_STATUSES,
        target=Status.WITHDRAWN,
        permission=permissions.village_clerk,
    )
    def withdraw(self, by=None, description=None) -> None:
        """The household withdrew the claim through its village."""
        self.closing_reason = description or ""


def document_path(document: "ClaimDocument", filename: str) -> str:
    return f"claims/{document.claim.number}/{filename}"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=document_path)
    title = models.CharField(_("title"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return self.title


class Deliberation(models.Model):
    """A village meeting's vote on an eligible claim (村级评议)."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="deliberations"
    )
    held_on = models.DateField(_("held on"))
    members_total = models.PositiveSmallIntegerField(_("committee members"))
    members_present = models.PositiveSmallIntegerField(_("members present"))
    members_agreeing = models.PositiveSmallIntegerField(_("members agreeing"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"))
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")
        constraints = [
            models.CheckConstraint(
                condition=Q(members_present__lte=F("members_total"))
                & Q(members_agreeing__lte=F("members_present"))
                & Q(members_total__gt=0),
                name="deliberation_counts_consistent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.held_on}"


class PublicNotice(models.Model):
    """A notice (公示) posted in one village, listing one or more claims.

    The period runs from ``starts_on`` to ``ends_on`` inclusive, on the
    Asia/Shanghai calendar; the notice may close from ``closes_at`` on, the
    first instant after the period.
    """

    village = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="notices"
    )
    number = models.CharField(_("notice number"), max_length=24, unique=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    pdf = models.FileField(_("PDF"), upload_to="notices/%Y/", blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="notice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("closes_at")),
                name="notice_closes_after_full_period",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class NoticeEntry(models.Model):
    """One claim listed on a notice, with the payout amount shown to the public."""

    notice = models.ForeignKey(
        PublicNotice, on_delete=models.CASCADE, related_name="entries"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="notice_entries"
    )
    amount = money_field(_("proposed payout"))

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = _("notice entry")
        verbose_name_plural = _("notice entries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "claim"], name="notice_entry_claim_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice} {self.claim}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection (异议) raised against a claim during its notice."""

    entry = models.ForeignKey(
        NoticeEntry, on_delete=models.PROTECT, related_name="objections"
    )
    raised_on = models.DateField(_("raised on"))
    raised_by = models.CharField(_("raised by"), max_length=50, blank=True)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )
    resolution = models.TextField(_("resolution"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.entry.claim} {self.raised_on}"
