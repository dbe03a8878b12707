"""The program year's policy and fund for the demo."""

from decimal import Decimal

from payouts.defaults import create_default_policy
from payouts.models import Fund, PayoutBand, PayoutScheme, Policy

FUND_TOTAL = Decimal("4500000.00")


def ensure_policy(year: int) -> Policy:
    """Return the year's policy; a data migration normally created it already."""
    return create_default_policy(Policy, PayoutScheme, PayoutBand, year)


def ensure_fund(year: int, city_name: str) -> Fund:
    """Return the year's fund, creating it with the reference total if missing."""
    fund, _created = Fund.objects.get_or_create(
        year=year,
        defaults={"name": f"{city_name}{year}年防贫基金", "total": FUND_TOTAL},
    )
    return fund
