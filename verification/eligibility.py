"""The eligibility rules of the program. Pure functions on Decimal.

Per-capita net income is

    (wage + operating + property + transfer income
     - production and operating costs - rigid expenditure of the shock)
    / members who count

rounded half-up to the fen. A household is eligible when that figure is at or
below the policy's income line. Above the line it still qualifies under the
burden rule: no stable income source (the inspector's finding) and a rigid
expenditure higher than its net income before that expenditure times the
policy's burden ratio. Every comparison is kept in ``Decision.steps`` with
its inputs, so the outcome can be explained later.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from payouts.money import round_fen

INCOME_CATEGORIES = ("wage", "operating", "property", "transfer")


@dataclass(frozen=True)
class HouseholdFinances:
    income: Mapping[str, Decimal]  # category -> yuan over 12 months
    production_costs: Decimal
    rigid_expenditure: Decimal
    counted_members: int
    stable_income: bool


@dataclass(frozen=True)
class Rules:
    year: int
    income_line: Decimal
    burden_ratio: Decimal


@dataclass
class Decision:
    eligible: bool
    per_capita_income: Decimal
    reason: str
    steps: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "per_capita_income": str(self.per_capita_income),
            "reason": self.reason,
            "steps": self.steps,
        }


def decide(finances: HouseholdFinances, rules: Rules) -> Decision:
    if finances.counted_members <= 0:
        raise ValueError("a household needs at least one member who counts")
    gross = sum(
        (finances.income.get(category, Decimal("0")) for category in INCOME_CATEGORIES),
        Decimal("0"),
    )
    before_shock = gross - finances.production_costs
    net = before_shock - finances.rigid_expenditure
    per_capita = round_fen(net / finances.counted_members)
    steps = [
        {
            "check": "per_capita_income",
            "gross_income": str(gross),
            "production_costs": str(finances.production_costs),
            "rigid_expenditure": str(finances.rigid_expenditure),
            "counted_members": str(finances.counted_members),
            "per_capita_income": str(per_capita),
        },
        {
            "check": "income_line",
            "per_capita_income": str(per_capita),
            "income_line": str(rules.income_line),
            "passed": str(per_capita <= rules.income_line),
        },
    ]
    if per_capita <= rules.income_line:
        reason = _(
            "Per-capita net income %(income)s yuan is at or below the %(year)s "
            "income line of %(line)s yuan."
        ) % {"income": per_capita, "year": rules.year, "line": rules.income_line}
        return Decision(True, per_capita, reason, steps)

    threshold = before_shock * rules.burden_ratio
    burden = (not finances.stable_income) and finances.rigid_expenditure > threshold
    steps.append(
        {
            "check": "burden_rule",
            "stable_income": str(finances.stable_income),
            "rigid_expenditure": str(finances.rigid_expenditure),
            "income_before_shock": str(before_shock),
            "burden_ratio": str(rules.burden_ratio),
            "passed": str(burden),
        }
    )
    if burden:
        reason = _(
            "Per-capita net income %(income)s yuan is above the income line of "
            "%(line)s yuan, but the household has no stable income and its rigid "
            "expenditure of %(expenditure)s yuan exceeds its income of %(before)s yuan."
        ) % {
            "income": per_capita,
            "line": rules.income_line,
            "expenditure": finances.rigid_expenditure,
            "before": before_shock,
        }
        return Decision(True, per_capita, reason, steps)

    if finances.stable_income:
        why = _("the household has a stable income source")
    else:
        why = _(
            "its rigid expenditure of %(expenditure)s yuan does not exceed "
            "its income of %(before)s yuan"
        ) % {
            "expenditure": finances.rigid_expenditure,
            "before": before_shock,
        }
    reason = _(
        "Per-capita net income %(income)s yuan is above the income line of "
        "%(line)s yuan, and the burden rule does not apply: %(why)s."
    ) % {"income": per_capita, "line": rules.income_line, "why": why}
    return Decision(False, per_capita, reason, steps)
