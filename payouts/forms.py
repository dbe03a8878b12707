"""Forms of the payout pages, and the money field the other apps' forms use.

Amounts are text fields parsed by ``payouts.money.parse_amount``, so a bad
amount gets the same message, naming the field and the value, as a service
would give, and no float or DecimalField rounding ever touches the money.
"""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from payouts.bands import Band, table_errors
from payouts.models import EntryKind
from payouts.money import parse_amount
from relief.errors import ServiceError


class MoneyField(forms.CharField):
    """Yuan with at most two decimal places, cleaned to a Decimal."""

    def __init__(self, *, allow_zero: bool = True, **kwargs) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 20)
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text, str(self.label), allow_zero=self.allow_zero)
        except ServiceError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class DateField(forms.DateField):
    """A date picked in the browser; an invalid entry is named in the error."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("%(field)s: %(value)s is not a valid date (YYYY-MM-DD).")
                % {"field": self.label, "value": value},
                code="invalid",
            ) from None


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelApprovalForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("A reason is required to cancel an approval.")},
    )


class MarkPaidForm(forms.Form):
    bank_reference = forms.CharField(
        label=_("Bank reference"),
        max_length=64,
        help_text=_("The bank's transaction number of the transfer to the household."),
    )


class AppropriationForm(forms.Form):
    amount = MoneyField(label=_("Amount (yuan)"), allow_zero=False)
    reference = forms.CharField(
        label=_("Document reference"),
        max_length=100,
        help_text=_("Number of the government document that allocates the money."),
    )


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *EntryKind.choices],
    )


class CertificateCheckForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=32)
    code = forms.CharField(label=_("Verification code"), max_length=16)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip().upper()


class PayoutBandFormSet(BaseInlineFormSet):
    """The band rows of a payout scheme, checked together as one table.

    The scheme's deductible comes from the scheme form, which the admin has
    already applied to ``self.instance`` when it builds the inline formsets.
    """

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = []
        bands = []
        for number, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            rows.append(number)
            bands.append(Band(data["lower"], data.get("upper"), data["rate"]))
        deductible = self.instance.deductible
        if deductible is None:
            return  # The scheme form reports the missing deductible.
        errors = table_errors(deductible, bands, rows)
        if errors:
            raise forms.ValidationError(errors, code="invalid_table")
