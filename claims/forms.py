"""Forms of the claims pages.

Forms check the shape of the input (numbers, dates, required text), and every
error names the field and the value. The business rules stay in
``claims.services`` and ``claims.notices``. The views attach those errors to
the field they name.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from claims.models import Claim, Status
from claims.services import MAX_COMMITTEE_MEMBERS, validate_document
from payouts.models import Cause
from payouts.money import InvalidAmount, parse_amount
from registry.models import Area, Household
from relief.errors import ServiceError

CLAIMS_PER_PAGE = 25


class ValueNamingIntegerField(forms.IntegerField):
    """A whole number from 0 to ``maximum`` whose errors name the value entered.

    The bound keeps a huge number out of the database's small integer columns.
    """

    def __init__(self, *, maximum: int, **kwargs) -> None:
        self.maximum = maximum
        super().__init__(**kwargs)
        self.widget.attrs.update({"min": 0, "max": maximum})

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _("%(field)s must be a whole number, not “%(value)s”."),
                code="invalid",
                params={"field": self.label, "value": value},
            ) from None

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and value < 0:
            raise ValidationError(
                _("%(field)s must not be negative: %(value)s"),
                code="negative",
                params={"field": self.label, "value": value},
            )
        if value is not None and value > self.maximum:
            raise ValidationError(
                _("%(field)s must be at most %(max)s, not %(value)s."),
                code="max_value",
                params={"field": self.label, "max": self.maximum, "value": value},
            )


class ValueNamingDateField(forms.DateField):
    """A date field whose errors name the value that was entered."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _("%(field)s is not a date (YYYY-MM-DD): “%(value)s”."),
                code="invalid",
                params={"field": self.label, "value": value},
            ) from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """One or more uploaded files, each checked by ``validate_document``."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned = [super(DocumentsField, self).clean(file, initial) for file in files]
        for file in cleaned:
            try:
                validate_document(file)
            except ServiceError as error:
                raise ValidationError(error.message, code=error.code) from None
        return cleaned


def clean_amount(value: str, label: str) -> Decimal:
    try:
        return parse_amount(value, label)
    except InvalidAmount as error:
        raise ValidationError(error.message, code=error.code) from None


class VillageChoiceField(forms.ModelChoiceField):
    """Villages labelled with their town, since village names repeat."""

    def label_from_instance(self, village: Area) -> str:
        town = village.parent.name if village.parent else ""
        return f"{town} {village.name}".strip()


class ClaimFilterForm(forms.Form):
    """Filters of the list of visible claims; every field is optional."""

    q = forms.CharField(
        label=_("Claim number or head's name"), required=False, max_length=50
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    cause = forms.ChoiceField(label=_("Cause"), required=False)
    village = VillageChoiceField(
        label=_("Village"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("All villages"),
    )

    def __init__(self, *args, villages=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(Status.choices)
        self.fields["cause"].choices = everything + list(Cause.choices)
        if villages is not None:
            self.fields["village"].queryset = villages.select_related("parent")


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, household: Household) -> str:
        head = household.head
        name = head.name if head else f"#{household.pk}"
        return f"{name} · {household.village.name} · {household.address}"


class ApplicationForm(forms.Form):
    """A household's application registered by its village clerk."""

    household = HouseholdChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        empty_label=_("Choose a household"),
        help_text=_(
            "At most 50 households are listed; search by the head's name or an "
            "ID number to find others."
        ),
        error_messages={
            "invalid_choice": _(
                "Household %(value)s is not one of the households of your village."
            )
        },
    )
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    amount_claimed = forms.CharField(
        label=_("Amount claimed (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Yuan, with at most two decimal places, e.g. 18000.00."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    documents = DocumentsField(
        label=_("Supporting documents"),
        help_text=_("PDF, JPEG or PNG files of at most 10 MB each."),
    )

    def __init__(self, *args, households=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if households is not None:
            self.fields["household"].queryset = households

    def clean_amount_claimed(self) -> Decimal:
        return clean_amount(
            self.cleaned_data["amount_claimed"],
            str(self.fields["amount_claimed"].label),
        )


class DocumentForm(forms.Form):
    """More supporting documents added to an open claim."""

    documents = DocumentsField(
        label=_("Supporting documents"),
        help_text=_("PDF, JPEG or PNG files of at most 10 MB each."),
    )


class DeliberationForm(forms.Form):
    """The village meeting's vote on a verified claim."""

    held_on = ValueNamingDateField(label=_("Held on"))
    members_total = ValueNamingIntegerField(
        label=_("Committee members"), maximum=MAX_COMMITTEE_MEMBERS
    )
    # A count here, but a list of household members on the home check form.
    members_present = ValueNamingIntegerField(
        label=pgettext_lazy("deliberation", "Members present"),
        maximum=MAX_COMMITTEE_MEMBERS,
    )
    members_agreeing = ValueNamingIntegerField(
        label=_("Members agreeing"), maximum=MAX_COMMITTEE_MEMBERS
    )
    attendees = forms.CharField(
        label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5})
    )


# The largest primary key of a BigAutoField.
MAX_ID = 2**63 - 1


class ClaimsChoiceField(forms.ModelMultipleChoiceField):
    """Claims picked by id. An id beyond the primary key range is an invalid
    choice, since SQLite raises OverflowError on it instead of finding nothing."""

    def clean(self, value):
        for pk in value or []:
            if str(pk).isdigit() and int(pk) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class NoticeOpenForm(forms.Form):
    """Deliberated claims of one village to list on a new notice."""

    claims = ClaimsChoiceField(
        label=_("Claims"),
        queryset=Claim.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["claims"].queryset = candidates

    def clean_claims(self):
        claims = self.cleaned_data["claims"]
        villages = {claim.household.village_id for claim in claims}
        if len(villages) > 1:
            raise ValidationError(
                _("A notice lists claims of one village only; chosen: %(value)s."),
                code="mixed_villages",
                params={
                    "value": ", ".join(
                        sorted({claim.household.village.name for claim in claims})
                    )
                },
            )
        return claims


class ObjectionForm(forms.Form):
    """An objection raised in the village during the notice."""

    raised_on = ValueNamingDateField(label=_("Raised on"))
    raised_by = forms.CharField(
        label=_("Raised by"),
        required=False,
        max_length=50,
        help_text=_("Leave empty for an anonymous objection."),
    )
    content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ObjectionDecision:
    UPHOLD = "uphold"
    DISMISS = "dismiss"


class ObjectionResolveForm(forms.Form):
    """The poverty office's decision on an objection."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ObjectionDecision.UPHOLD, _("Uphold")),
            (ObjectionDecision.DISMISS, _("Dismiss")),
        ],
    )
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4})
    )

    @property
    def upheld(self) -> bool:
        return self.cleaned_data["decision"] == ObjectionDecision.UPHOLD


def attach_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's error at the field it names, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
