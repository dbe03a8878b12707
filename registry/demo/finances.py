"""Invented amounts for demo claims: costs, incomes, and deliberation votes.

Amounts are drawn in whole fen and turned into Decimal yuan, so no float ever
becomes money. Incomes are built backwards from a per-capita target below or
above the policy's income line, so the real eligibility rules reach the
outcome each cohort needs.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from payouts.bands import Band, Table, compute_payout
from payouts.models import Cause, PayoutScheme, Policy
from verification.services import IncomeLine

# The verified amount as a percentage of the cause's deductible.
VERIFIED_PERCENT = {
    Cause.ILLNESS: (150, 1400),
    Cause.DISASTER: (120, 400),
    Cause.SCHOOLING: (110, 250),
}
# Share of the fund that the planned payouts may take at most.
FUND_SHARE = Decimal("0.8")
INCOME_SHARES = (("wage", 55), ("operating", 25), ("transfer", 15), ("property", 5))


@dataclass(frozen=True)
class Amounts:
    claimed: Decimal
    verified: Decimal


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


class Tables:
    """The year's payout tables, to plan amounts the fund can pay."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.tables = {
            scheme.cause: Table(
                deductible=scheme.deductible,
                bands=[Band(b.lower, b.upper, b.rate) for b in scheme.bands.all()],
                mode=scheme.mode,
                annual_cap=scheme.annual_cap,
            )
            for scheme in PayoutScheme.objects.filter(policy=policy).prefetch_related(
                "bands"
            )
        }

    def draw_amounts(self, rng: random.Random, cause: str) -> Amounts:
        deductible_fen = int(self.tables[cause].deductible * 100)
        low, high = VERIFIED_PERCENT[cause]
        verified_fen = rng.randint(
            deductible_fen * low // 100, deductible_fen * high // 100
        )
        claimed_fen = verified_fen * rng.randint(100, 125) // 100
        return Amounts(claimed=yuan(claimed_fen), verified=yuan(verified_fen))

    def smallest_amounts(self, cause: str) -> Amounts:
        """Amounts just above the deductible, for when the fund runs short."""
        verified = self.tables[cause].deductible + Decimal("100.00")
        return Amounts(claimed=verified, verified=verified)

    def payout(self, cause: str, verified: Decimal) -> Decimal:
        # Each demo household has one claim, so its whole annual cap is left.
        return compute_payout(verified, self.tables[cause], Decimal("0")).amount


def income_lines(
    rng: random.Random,
    line: Decimal,
    counted: int,
    rigid: Decimal,
    eligible: bool,
) -> tuple[list[IncomeLine], Decimal, bool]:
    """Return income items, production costs and the stable-income finding.

    An eligible household ends between 35% and 92% of the income line per
    person. An ineligible one ends between 1.4 and 3.5 times the line with a
    stable income, so the burden rule cannot apply.
    """
    low, high = (35, 92) if eligible else (140, 350)
    per_capita_fen = int(line * rng.randint(low, high))  # line × percent = fen
    costs_fen = rng.randint(0, 300_000)
    gross_fen = per_capita_fen * counted + int(rigid * 100) + costs_fen
    items = []
    left = gross_fen
    for index, (category, share) in enumerate(INCOME_SHARES):
        amount = left if index == len(INCOME_SHARES) - 1 else gross_fen * share // 100
        left -= amount
        items.append(IncomeLine(category, yuan(amount)))
    stable = (not eligible) or rng.random() < 0.6
    return items, yuan(costs_fen), stable


@dataclass(frozen=True)
class Vote:
    total: int
    present: int
    agreeing: int


def draw_vote(rng: random.Random, policy: Policy, majority: bool) -> Vote:
    """Draw a village meeting that reaches the quorum, with or without the majority."""
    fraction = Fraction(policy.deliberation_numerator, policy.deliberation_denominator)
    total = rng.randint(7, 11)
    present = rng.randint(math.ceil(total * fraction), total)
    needed = math.ceil(present * fraction)
    agreeing = rng.randint(needed, present) if majority else needed - 1
    return Vote(total, present, agreeing)
