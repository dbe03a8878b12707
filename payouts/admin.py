"""Admin pages: policy tables are edited here; the fund only through the ledger.

Fund totals, ledger entries, payments and certificates are read-only, since
they change only through ``payouts.services`` (which locks, checks and logs).
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payouts.forms import PayoutBandFormSet
from payouts.models import (
    Certificate,
    Fund,
    LedgerEntry,
    Payment,
    PayoutBand,
    PayoutScheme,
    Policy,
)
from relief.admin import ReadOnlyAdmin


class PayoutSchemeInline(admin.TabularInline):
    model = PayoutScheme
    extra = 0
    show_change_link = True


class PayoutBandInline(admin.TabularInline):
    model = PayoutBand
    formset = PayoutBandFormSet
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "base_poverty_line",
        "income_line_multiple",
        "income_line",
        "notice_days",
        "notice_day_kind",
    ]
    inlines = [PayoutSchemeInline]
    actions = ["copy_to_next_year"]

    @admin.display(description=_("income line"))
    def income_line(self, policy: Policy):
        return policy.income_line

    @admin.action(description=_("Copy to the next year"))
    def copy_to_next_year(self, request, queryset):
        copied = 0
        for policy in queryset:
            if Policy.objects.filter(year=policy.year + 1).exists():
                self.message_user(
                    request,
                    _("A policy for %(year)s already exists.")
                    % {"year": policy.year + 1},
                    messages.WARNING,
                )
                continue
            with transaction.atomic():
                copy_policy(policy, policy.year + 1)
            copied += 1
        if copied:
            self.message_user(
                request,
                ngettext("Copied %d policy.", "Copied %d policies.", copied) % copied,
            )


def copy_policy(policy: Policy, year: int) -> Policy:
    schemes = list(policy.schemes.prefetch_related("bands"))
    policy.pk = None
    policy.year = year
    policy.save()
    for scheme in schemes:
        bands = list(scheme.bands.all())
        scheme.pk = None
        scheme.policy = policy
        scheme.save()
        for band in bands:
            band.pk = None
            band.scheme = scheme
            band.save()
    return policy


@admin.register(PayoutScheme)
class PayoutSchemeAdmin(admin.ModelAdmin):
    list_display = ["policy", "cause", "deductible", "mode", "annual_cap"]
    list_filter = ["policy", "cause"]
    inlines = [PayoutBandInline]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "total", "reserved", "disbursed", "remaining"]
    readonly_fields = ["reserved", "disbursed"]

    def get_readonly_fields(self, request, obj=None):
        # After creation the total changes only by an appropriation entry.
        if obj is not None:
            return ["total", "reserved", "disbursed"]
        return ["reserved", "disbursed"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "fund", "kind", "amount", "payment", "reference"]
    list_filter = ["fund", "kind"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["claim", "amount", "status", "approved_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["claim__number"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "payment", "rendered_at"]
    search_fields = ["number"]
