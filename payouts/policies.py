"""Reading the policy of a year: income line, notice period, payout tables."""

from django.utils.translation import gettext as _

from payouts.models import Cause, PayoutScheme, Policy
from relief.errors import ServiceError


class PolicyMissing(ServiceError):
    code = "policy_missing"


def policy_for_year(year: int) -> Policy:
    try:
        return Policy.objects.get(year=year)
    except Policy.DoesNotExist:
        raise PolicyMissing(
            _("No policy is set for %(value)s; the poverty office must add one.")
            % {"value": year},
            field="policy_year",
            value=year,
        ) from None


def scheme_for(year: int, cause: str) -> PayoutScheme:
    try:
        return PayoutScheme.objects.prefetch_related("bands").get(
            policy__year=year, cause=cause
        )
    except PayoutScheme.DoesNotExist:
        raise PolicyMissing(
            _("No payout table is set for %(cause)s in %(year)s.")
            % {
                "cause": Cause(cause).label if cause in Cause.values else cause,
                "year": year,
            },
            field="cause",
            value=cause,
        ) from None
