"""The eligibility rules as pure functions: the income line, the rounding of
per-capita income, and the burden rule."""

from decimal import Decimal

import pytest

from verification.eligibility import HouseholdFinances, Rules, decide

LINE = Decimal("5200.00")  # 1.3 x 4,000, the default policy
RULES = Rules(year=2025, income_line=LINE, burden_ratio=Decimal("1.00"))
# A province where rigid expenditure above half the income counts as a burden.
HALF_RULES = Rules(year=2025, income_line=LINE, burden_ratio=Decimal("0.50"))


def finances(
    wage: str,
    members: int = 1,
    *,
    costs: str = "0",
    rigid: str = "0",
    stable: bool = True,
    **income: str,
) -> HouseholdFinances:
    amounts = {"wage": Decimal(wage)} | {k: Decimal(v) for k, v in income.items()}
    return HouseholdFinances(
        income=amounts,
        production_costs=Decimal(costs),
        rigid_expenditure=Decimal(rigid),
        counted_members=members,
        stable_income=stable,
    )


def test_at_line_eligible():
    decision = decide(finances("5200.00"), RULES)

    assert decision.per_capita_income == LINE
    assert decision.eligible


def test_one_fen_above_line_ineligible():
    decision = decide(finances("5200.01"), RULES)

    assert decision.per_capita_income == Decimal("5200.01")
    assert not decision.eligible


def test_half_fen_rounds_up():
    # 10,400.01 / 2 = 5,200.005, which half-up makes 5,200.01: above the line.
    # Rounding half to even would give 5,200.00 and the opposite outcome.
    decision = decide(finances("10400.01", members=2), RULES)

    assert decision.per_capita_income == Decimal("5200.01")
    assert not decision.eligible


def test_below_half_fen_rounds_down():
    # 15,600.01 / 3 = 5,200.00333...
    decision = decide(finances("15600.01", members=3), RULES)

    assert decision.per_capita_income == LINE
    assert decision.eligible


def test_income_sums_all_categories():
    household = finances(
        "3000.00",
        members=2,
        costs="400.00",
        rigid="1000.00",
        operating="2000.00",
        property="500.00",
        transfer="300.00",
    )

    decision = decide(household, RULES)

    # (3,000 + 2,000 + 500 + 300 - 400 - 1,000) / 2
    assert decision.per_capita_income == Decimal("2200.00")


def test_other_income_not_counted():
    # One-off relief is not an income category of the rule.
    household = finances("5200.00", relief="90000.00")

    assert decide(household, RULES).eligible


def test_negative_per_capita_eligible():
    decision = decide(finances("1000.00", rigid="30000.00"), RULES)

    assert decision.per_capita_income == Decimal("-29000.00")
    assert decision.eligible


def test_burden_rule_qualifies():
    # Rigid expenditure of 10,000.01 exceeds 20,000 x 0.5 = 10,000, while the
    # per-capita 9,999.99 is above the line.
    decision = decide(finances("20000.00", rigid="10000.01", stable=False), HALF_RULES)

    assert decision.per_capita_income == Decimal("9999.99")
    assert decision.eligible


def test_burden_rule_needs_no_stable_income():
    decision = decide(finances("20000.00", rigid="10000.01", stable=True), HALF_RULES)

    assert not decision.eligible


def test_burden_rule_at_threshold():
    decision = decide(finances("20000.00", rigid="10000.00", stable=False), HALF_RULES)

    assert not decision.eligible


def test_burden_threshold_after_costs():
    # Income before the shock is 24,000 - 4,000 = 20,000, so 10,000 is the
    # threshold, not 12,000.
    household = finances("24000.00", costs="4000.00", rigid="10000.01", stable=False)

    assert decide(household, HALF_RULES).eligible


def test_burden_rule_recorded():
    decision = decide(finances("20000.00", rigid="10000.01", stable=False), HALF_RULES)

    burden = decision.steps[-1]
    assert burden["check"] == "burden_rule"
    assert burden["income_before_shock"] == "20000.00"
    assert burden["burden_ratio"] == "0.50"
    assert burden["passed"] == "True"


def test_steps_keep_inputs():
    decision = decide(finances("10400.01", members=2, rigid="0.00"), RULES)

    computed, line = decision.steps[0], decision.steps[1]
    assert computed["gross_income"] == "10400.01"
    assert computed["counted_members"] == "2"
    assert computed["per_capita_income"] == "5200.01"
    assert line["income_line"] == "5200.00"
    assert line["passed"] == "False"


def test_reason_names_figures():
    decision = decide(finances("5200.01"), RULES)

    assert "5200.01" in decision.reason
    assert "5200.00" in decision.reason


def test_line_from_rules():
    household = finances("5600.00")
    higher = Rules(year=2025, income_line=Decimal("6000.00"), burden_ratio=1)

    assert not decide(household, RULES).eligible
    assert decide(household, higher).eligible


def test_as_dict_is_json_ready():
    data = decide(finances("5200.00"), RULES).as_dict()

    assert data["eligible"] is True
    assert data["per_capita_income"] == "5200.00"


@pytest.mark.parametrize("members", [0, -1])
def test_needs_counted_member(members):
    with pytest.raises(ValueError, match="member"):
        decide(finances("1000.00", members=members), RULES)
