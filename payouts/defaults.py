"""The program's default policy numbers, loaded by a data migration.

The poverty office edits them in the admin; code reads only the database.
"""

from decimal import Decimal

BASE_POVERTY_LINE = Decimal("4000.00")
INCOME_LINE_MULTIPLE = Decimal("1.30")  # income line 5,200.00 yuan
NOTICE_DAYS = 7
# The burden rule: rigid expenditure above half the income before the shock.
BURDEN_RATIO = Decimal("0.50")

# cause: (deductible, [(lower, upper or None, rate)], annual cap), marginal mode
PAYOUT_TABLES = {
    "illness": (
        Decimal("5000"),
        [
            (Decimal("5000"), Decimal("15000"), Decimal("0.50")),
            (Decimal("15000"), Decimal("35000"), Decimal("0.70")),
            (Decimal("35000"), None, Decimal("0.90")),
        ],
        Decimal("200000"),
    ),
    "disaster": (
        Decimal("10000"),
        [
            (Decimal("10000"), Decimal("20000"), Decimal("0.40")),
            (Decimal("20000"), Decimal("40000"), Decimal("0.60")),
            (Decimal("40000"), None, Decimal("0.80")),
        ],
        Decimal("30000"),
    ),
    "schooling": (
        Decimal("8000"),
        [(Decimal("8000"), None, Decimal("0.50"))],
        Decimal("30000"),
    ),
}


def create_default_policy(policy_model, scheme_model, band_model, year: int):
    """Create the year's policy with the default tables unless it exists."""
    policy, created = policy_model.objects.get_or_create(
        year=year,
        defaults={
            "base_poverty_line": BASE_POVERTY_LINE,
            "income_line_multiple": INCOME_LINE_MULTIPLE,
            "notice_days": NOTICE_DAYS,
            "burden_ratio": BURDEN_RATIO,
        },
    )
    if not created:
        return policy
    for cause, (deductible, bands, cap) in PAYOUT_TABLES.items():
        scheme = scheme_model.objects.create(
            policy=policy,
            cause=cause,
            deductible=deductible,
            mode="marginal",
            annual_cap=cap,
        )
        for lower, upper, rate in bands:
            band_model.objects.create(
                scheme=scheme, lower=lower, upper=upper, rate=rate
            )
    return policy
