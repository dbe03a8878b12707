"""Payout band tables: every edge of the default tables, whole mode, the annual
cap and the single half-up rounding at the end."""

from decimal import Decimal

import pytest

from claims.models import Status
from payouts import services
from payouts.bands import Band, Table, compute_payout
from payouts.defaults import PAYOUT_TABLES
from payouts.models import PayoutScheme
from tests.factories import make_claim, make_household
from tests.journey import advance, claim_at, make_referral

ZERO = Decimal("0")


def default_table(cause: str, mode: str = "marginal") -> Table:
    deductible, bands, cap = PAYOUT_TABLES[cause]
    return Table(
        deductible=deductible,
        bands=[Band(lower, upper, rate) for lower, upper, rate in bands],
        mode=mode,
        annual_cap=cap,
    )


def pay(cause: str, verified: str, *, mode: str = "marginal", paid: str = "0"):
    table = default_table(cause, mode)
    return compute_payout(Decimal(verified), table, Decimal(paid)).amount


# Each edge of the default tables, one fen either side. The rates are
# 50/70/90% for illness, 40/60/80% for disaster and 50% for schooling.
EDGES = [
    ("illness", "4999.99", "0.00"),
    ("illness", "5000.00", "0.00"),
    ("illness", "5000.01", "0.01"),  # 0.005 rounds up
    ("illness", "14999.99", "5000.00"),  # 4,999.995 rounds up
    ("illness", "15000.00", "5000.00"),
    ("illness", "15000.01", "5000.01"),  # 5,000.007
    ("illness", "34999.99", "18999.99"),  # 5,000 + 13,999.993
    ("illness", "35000.00", "19000.00"),  # 5,000 + 14,000
    ("illness", "35000.01", "19000.01"),  # 19,000.009
    ("disaster", "9999.99", "0.00"),
    ("disaster", "10000.00", "0.00"),
    ("disaster", "10000.01", "0.00"),  # 0.004 rounds down
    ("disaster", "19999.99", "4000.00"),  # 3,999.996
    ("disaster", "20000.00", "4000.00"),
    ("disaster", "20000.01", "4000.01"),  # 4,000.006
    ("disaster", "39999.99", "15999.99"),  # 4,000 + 11,999.994
    ("disaster", "40000.00", "16000.00"),  # 4,000 + 12,000
    ("disaster", "40000.01", "16000.01"),  # 16,000.008
    ("schooling", "7999.99", "0.00"),
    ("schooling", "8000.00", "0.00"),
    ("schooling", "8000.01", "0.01"),  # 0.005 rounds up
]


@pytest.mark.parametrize(("cause", "verified", "expected"), EDGES)
def test_default_table_edges(cause, verified, expected):
    assert pay(cause, verified) == Decimal(expected)


def test_worked_example():
    # 10,000 x 50% + 3,000 x 70%
    assert pay("illness", "18000.00") == Decimal("7100.00")


def test_worked_example_slices():
    payout = compute_payout(Decimal("18000.00"), default_table("illness"), ZERO)

    assert [(s["from"], s["to"], s["rate"]) for s in payout.slices] == [
        ("5000", "15000", "0.50"),
        ("15000", "18000.00", "0.70"),
    ]
    assert payout.uncapped == Decimal("7100.00")


def test_zero_verified_pays_nothing():
    assert pay("illness", "0.00") == Decimal("0.00")


def test_negative_verified_raises():
    with pytest.raises(ValueError, match="-1"):
        pay("illness", "-1.00")


@pytest.mark.parametrize(
    ("verified", "expected"),
    [
        ("15000.00", "5000.00"),  # 10,000 at the first band's 50%
        ("15000.01", "7000.01"),  # 10,000.01 at 70%: 7,000.007
        ("18000.00", "9100.00"),  # 13,000 at 70%
        ("35000.01", "27000.01"),  # 30,000.01 at 90%: 27,000.009
    ],
)
def test_whole_mode(verified, expected):
    assert pay("illness", verified, mode="whole") == Decimal(expected)


def test_whole_mode_within_deductible():
    assert pay("illness", "5000.00", mode="whole") == Decimal("0.00")


def test_disaster_cap():
    # 16,000 + 20,000 x 80% = 32,000, over the 30,000 cap
    assert pay("disaster", "60000.00") == Decimal("30000.00")


def test_cap_left_after_earlier_payouts():
    payout = compute_payout(
        Decimal("60000.00"), default_table("disaster"), Decimal("24000.00")
    )

    assert payout.amount == Decimal("6000.00")
    assert payout.uncapped == Decimal("32000.00")
    assert payout.cap_left == Decimal("6000.00")


def test_cap_used_up():
    assert pay("disaster", "60000.00", paid="30000.00") == Decimal("0.00")


def test_cap_overdrawn_pays_nothing():
    assert pay("disaster", "60000.00", paid="31000.00") == Decimal("0.00")


def test_rounded_once_at_end():
    # Two slices of 1.01 at 50% are 0.505 each. Rounding once gives 1.01,
    # but rounding each slice would give 0.51 + 0.51 = 1.02.
    table = Table(
        deductible=ZERO,
        bands=[
            Band(ZERO, Decimal("1.01"), Decimal("0.5")),
            Band(Decimal("1.01"), None, Decimal("0.5")),
        ],
        mode="marginal",
        annual_cap=Decimal("100"),
    )

    payout = compute_payout(Decimal("2.02"), table, ZERO)

    assert [s["amount"] for s in payout.slices] == ["0.505", "0.505"]
    assert payout.amount == Decimal("1.01")


def test_half_fen_rounds_up():
    # 0.01 above the schooling deductible at 50% is 0.005 yuan, half a fen,
    # which rounding half to even would make 0.00.
    assert pay("schooling", "8000.01") == Decimal("0.01")


def test_bands_unsorted():
    deductible, bands, cap = PAYOUT_TABLES["illness"]
    table = Table(
        deductible=deductible,
        bands=[Band(lower, upper, rate) for lower, upper, rate in reversed(bands)],
        mode="marginal",
        annual_cap=cap,
    )

    assert compute_payout(Decimal("18000.00"), table, ZERO).amount == Decimal("7100.00")


# Through the services, with the year's tables in the database --------------


def approved_disaster(staff, household, verified: str):
    claim = make_claim(household, staff.village_clerk, cause="disaster")
    return advance(
        claim, to=Status.APPROVED, staff=staff, verified_amount=verified
    ).payment


@pytest.mark.django_db
def test_claim_payout_worked_example(staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)

    payout = services.compute_claim_payout(claim, Decimal("18000.00"))

    assert payout.amount == Decimal("7100.00")


@pytest.mark.django_db
def test_claim_payout_reads_database(staff, household, policy, fund):
    PayoutScheme.objects.filter(policy=policy, cause="illness").update(mode="whole")
    claim = claim_at(Status.VERIFIED, household, staff)

    payout = services.compute_claim_payout(claim, Decimal("18000.00"))

    assert payout.amount == Decimal("9100.00")


@pytest.mark.django_db
def test_earlier_payout_limits_cap(staff, household, policy, fund):
    # 16,000 + 10,000 x 80% = 24,000 approved earlier this year
    earlier = approved_disaster(staff, household, "50000.00")
    # A referral, because the open application blocks a second application.
    claim = make_referral(household, staff.town_reviewer, cause="disaster")

    payout = services.compute_claim_payout(claim, Decimal("30000.00"))

    assert earlier.amount == Decimal("24000.00")
    assert payout.uncapped == Decimal("10000.00")
    assert payout.amount == Decimal("6000.00")


@pytest.mark.django_db
def test_paid_payout_limits_cap(staff, household, policy, fund):
    earlier = approved_disaster(staff, household, "50000.00")
    advance(earlier.claim, to=Status.PAID, staff=staff)
    claim = make_claim(household, staff.village_clerk, cause="disaster")

    payout = services.compute_claim_payout(claim, Decimal("30000.00"))

    assert payout.amount == Decimal("6000.00")


@pytest.mark.django_db
def test_cancelled_payout_frees_cap(staff, household, policy, fund):
    earlier = approved_disaster(staff, household, "50000.00")
    services.cancel_approval(
        user=staff.poverty_office, claim_id=earlier.claim_id, note="重复申请"
    )
    claim = make_claim(household, staff.village_clerk, cause="disaster")

    payout = services.compute_claim_payout(claim, Decimal("30000.00"))

    assert payout.amount == Decimal("10000.00")


@pytest.mark.django_db
def test_other_cause_keeps_cap(staff, household, policy, fund):
    approved_disaster(staff, household, "50000.00")
    claim = make_claim(household, staff.village_clerk, cause="illness")

    payout = services.compute_claim_payout(claim, Decimal("18000.00"))

    assert payout.amount == Decimal("7100.00")


@pytest.mark.django_db
def test_other_household_keeps_cap(staff, household, village, policy, fund):
    approved_disaster(staff, household, "50000.00")
    neighbour = make_household(village, head_name="李四")
    claim = make_claim(neighbour, staff.village_clerk, cause="disaster")

    payout = services.compute_claim_payout(claim, Decimal("30000.00"))

    assert payout.amount == Decimal("10000.00")


@pytest.mark.django_db
def test_capped_approval_reserves_rest(staff, household, policy, fund):
    approved_disaster(staff, household, "50000.00")
    # A referral, because the open application blocks a second application.
    referral = make_referral(household, staff.town_reviewer, cause="disaster")

    second = advance(
        referral, to=Status.APPROVED, staff=staff, verified_amount="30000.00"
    ).payment

    assert second.amount == Decimal("6000.00")
    assert second.computation["cap_left"] == "6000.00"
