"""Areas, households and their members, and staff users with a role and scope.

Areas use 12-digit statistical division codes: 2 digits province, 2 prefecture,
2 county, 3 township, 3 village. An area contains every area whose code starts
with its own significant prefix, so scope checks are one ``startswith`` query.
"""

import contextlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.idnumbers import (
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


# Number of leading code digits that identify an area of each level.
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWN: 9,
    AreaLevel.VILLAGE: 12,
}


class Area(models.Model):
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("A division code has 12 digits."))],
    )
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[AreaLevel(self.level)]]

    def contains(self, other: "Area") -> bool:
        return other.code.startswith(self.prefix)

    def full_name(self) -> str:
        names = []
        area: Area | None = self
        while area is not None:
            names.append(area.name)
            area = area.parent
        return "".join(reversed(names))


class HouseholdCategory(models.TextChoices):
    EXITED_POVERTY = "exited_poverty", _("Exited poverty")
    LOW_INCOME = "low_income", _("Non-poor low-income")
    ORDINARY = "ordinary", _("Ordinary rural household")


class Household(models.Model):
    village = models.ForeignKey(
        Area,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": AreaLevel.VILLAGE},
    )
    category = models.CharField(
        _("category"), max_length=20, choices=HouseholdCategory.choices
    )
    exit_year = models.PositiveSmallIntegerField(
        _("year it left poverty"), null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village__code", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(category="exited_poverty", exit_year__isnull=False)
                    | (
                        ~models.Q(category="exited_poverty")
                        & models.Q(exit_year__isnull=True)
                    )
                ),
                name="household_exit_year_only_when_exited",
            )
        ]

    def __str__(self) -> str:
        head = self.head
        return head.name if head else f"#{self.pk}"

    @property
    def head(self) -> "Member | None":
        # Prefetched members avoid a query per household on list pages.
        for member in self.members.all():
            if member.relation == Relation.HEAD:
                return member
        return None


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Member(models.Model):
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        unique=True,
        validators=[validate_id_number],
    )
    relation = models.CharField(
        _("relation to the head"), max_length=12, choices=Relation.choices
    )
    # Members in prison or declared missing do not count toward per-capita income.
    counted = models.BooleanField(_("counts toward the household"), default=True)
    not_counted_reason = models.CharField(
        _("reason not counted"), max_length=100, blank=True
    )

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="member_one_head_per_household",
            ),
            # Stored normalised: ASCII digits and an upper-case X, so the unique
            # constraint counts one person once however the number was typed.
            models.CheckConstraint(
                condition=models.Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="member_id_number_normalised",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self._normalize_id_number()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        self._normalize_id_number()
        super().clean_fields(exclude=exclude)

    def _normalize_id_number(self) -> None:
        # An invalid number is left as typed for the field validator to report
        # with the value, or for the CHECK constraint to refuse.
        with contextlib.suppress(ValidationError):
            self.id_number = normalize_id_number(self.id_number)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", _("Village clerk")
    TOWN_REVIEWER = "town_reviewer", _("Town reviewer")
    POVERTY_OFFICE = "poverty_office", _("Poverty office")
    DEPARTMENT_CLERK = "department_clerk", _("Department data clerk")
    INSURER_COORDINATOR = "insurer_coordinator", _("Insurer coordinator")
    INSPECTOR = "inspector", _("Insurer inspector")
    AUDITOR = "auditor", _("Auditor")


# Roles that work across the whole program rather than inside one area.
PROGRAM_WIDE_ROLES = {Role.INSURER_COORDINATOR, Role.INSPECTOR}
# Roles that may see full ID numbers, bank accounts and phone numbers.
ROLES_SEEING_PERSONAL_DATA = {
    Role.VILLAGE_CLERK,
    Role.INSPECTOR,
    Role.INSURER_COORDINATOR,
}


class User(AbstractUser):
    """A staff user; the role decides the work, the area bounds what is visible."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.CharField(_("department"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["insurer_coordinator", "inspector", ""])
                    | models.Q(area__isnull=False)
                ),
                name="user_area_required_for_area_roles",
            )
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    def can_see_area(self, area: Area) -> bool:
        if self.role in PROGRAM_WIDE_ROLES:
            return True
        return self.area is not None and self.area.contains(area)

    @property
    def sees_personal_data(self) -> bool:
        return self.role in ROLES_SEEING_PERSONAL_DATA
