"""Forms of the visit scheduling and home check pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.forms import DateField, MoneyField
from verification.models import IncomeCategory
from verification.selectors import active_inspectors


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # The login is shown too, so the coordinator can tell the inspector
        # which account the visit went to.
        full_name = obj.get_full_name()
        login = obj.get_username()
        name = f"{full_name} · {login}" if full_name else login
        return _("%(name)s (%(count)s open visits)") % {
            "name": name,
            "count": obj.open_visits,
        }


class ScheduleVisitForm(forms.Form):
    inspector = InspectorChoiceField(
        label=_("Inspector"),
        queryset=active_inspectors(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Inspector: %(value)s is not an active inspector.")
        },
    )
    planned_on = DateField(label=_("Planned date"))
    vehicle = forms.CharField(
        label=_("Vehicle"),
        max_length=20,
        required=False,
        help_text=_("Plate number or fleet number of the car, if one is used."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A fresh queryset per form, so the open-visit counts are current.
        self.fields["inspector"].queryset = active_inspectors()
        self.fields["planned_on"].initial = timezone.localdate()


class ScheduleFilterForm(forms.Form):
    start = DateField(label=_("From"), required=False)
    end = DateField(label=_("To"), required=False)
    inspector = InspectorChoiceField(
        label=_("Inspector"),
        queryset=active_inspectors(),
        required=False,
        empty_label=_("All inspectors"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = active_inspectors()


STABLE_INCOME_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


class HomeCheckForm(forms.Form):
    visited_on = DateField(label=_("Visit date"))
    members_present = forms.TypedMultipleChoiceField(
        label=_("Members present"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Members present: %(value)s is not a member of this household."
            ),
            "required": _("Members present: tick at least one member."),
        },
    )
    production_costs = MoneyField(
        label=_("Production and operating costs (yuan)"), initial="0.00"
    )
    rigid_expenditure = MoneyField(label=_("Rigid expenditure of the shock (yuan)"))
    verified_amount = MoneyField(
        label=_("Verified amount for the payout (yuan)"),
        help_text=_(
            "Out-of-pocket medical cost left after insurance and assistance, "
            "disaster loss, or schooling cost after aid."
        ),
    )
    stable_income = forms.TypedChoiceField(
        label=_("Stable income source"),
        choices=STABLE_INCOME_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["members_present"].choices = [
            (member.pk, f"{member.name}（{member.get_relation_display()}）")
            for member in household.members.all()
        ]


class IncomeItemForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "---------"), *IncomeCategory.choices],
    )
    description = forms.CharField(
        label=_("Description"), max_length=100, required=False
    )
    amount = MoneyField(label=_("Income amount (yuan)"))


class BaseIncomeFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[IncomeItemForm]:
        """Return the rows with data, without blank rows and rows marked for
        deletion."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


IncomeFormSet = forms.formset_factory(
    IncomeItemForm,
    formset=BaseIncomeFormSet,
    extra=3,
    can_delete=True,
    max_num=50,
    validate_max=True,
)
