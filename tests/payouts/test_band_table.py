"""Checks of a payout band table: contiguous bands from the deductible up."""

from decimal import Decimal

import pytest

from payouts.bands import Band, Table, compute_payout, table_errors

D = Decimal
VALID = [
    Band(D("5000"), D("15000"), D("0.50")),
    Band(D("15000"), D("35000"), D("0.70")),
    Band(D("35000"), None, D("0.90")),
]


def test_valid_table_has_no_errors():
    assert table_errors(D("5000"), VALID) == []


def test_unsorted_valid_table_has_no_errors():
    assert table_errors(D("5000"), list(reversed(VALID))) == []


def test_closed_last_band_allowed():
    assert table_errors(D("0"), [Band(D("0"), D("100"), D("1"))]) == []


def test_no_bands():
    errors = table_errors(D("5000"), [])

    assert len(errors) == 1
    assert "at least one band" in errors[0]


def test_overlap_names_band():
    bands = [
        Band(D("5000"), D("15000"), D("0.50")),
        Band(D("14000"), None, D("0.70")),
        Band(D("35000"), None, D("0.90")),
    ]

    errors = table_errors(D("5000"), bands)

    assert any("14000" in e and "overlaps" in e for e in errors)


def test_two_open_bands():
    bands = [
        Band(D("5000"), None, D("0.50")),
        Band(D("35000"), None, D("0.90")),
    ]

    errors = table_errors(D("5000"), bands)

    assert any("only the last band" in e for e in errors)


def test_gap_names_values():
    bands = [
        Band(D("5000"), D("15000"), D("0.50")),
        Band(D("16000"), None, D("0.70")),
    ]

    errors = table_errors(D("5000"), bands)

    assert len(errors) == 1
    assert "gap" in errors[0]
    assert "16000" in errors[0]
    assert "15000" in errors[0]


@pytest.mark.parametrize("lower", ["4000", "6000"])
def test_first_band_off_deductible(lower):
    bands = [Band(D(lower), None, D("0.50"))]

    errors = table_errors(D("5000"), bands)

    assert len(errors) == 1
    assert lower in errors[0]
    assert "deductible 5000" in errors[0]


@pytest.mark.parametrize("rate", ["-0.01", "1.01"])
def test_rate_out_of_range(rate):
    errors = table_errors(D("0"), [Band(D("0"), None, D(rate))])

    assert len(errors) == 1
    assert rate in errors[0]


def test_upper_not_above_lower():
    bands = [Band(D("0"), D("0"), D("0.5")), Band(D("0"), None, D("0.5"))]

    errors = table_errors(D("0"), bands)

    assert any("ends at 0" in e for e in errors)


def test_rows_name_given_rows():
    bands = [Band(D("5000"), D("15000"), D("0.50")), Band(D("16000"), None, D("1"))]

    errors = table_errors(D("5000"), bands, rows=[3, 7])

    assert "7" in errors[0].split("(")[0]


def test_compute_rejects_overlapping_table():
    # The tester's table: it paid 53,232.43 where the valid one pays 37,861.99.
    table = Table(
        deductible=D("5000"),
        bands=[
            Band(D("5000"), D("15000"), D("0.50")),
            Band(D("14000"), None, D("0.70")),
            Band(D("35000"), None, D("0.90")),
        ],
        mode="marginal",
        annual_cap=D("200000"),
    )

    with pytest.raises(ValueError, match="14000"):
        compute_payout(D("55957.77"), table, D("0"))


def test_compute_valid_table_unchanged():
    table = Table(
        deductible=D("5000"), bands=VALID, mode="marginal", annual_cap=D("200000")
    )

    assert compute_payout(D("55957.77"), table, D("0")).amount == D("37861.99")


@pytest.mark.django_db
def test_stored_bad_table_refuses_approval(staff, household, policy, fund):
    from claims.models import Status
    from payouts.models import PayoutBand
    from payouts.services import approve_claim
    from relief.errors import ServiceError
    from tests.journey import claim_at

    claim = claim_at(Status.NOTICE_PASSED, household, staff)
    # A table stored before the admin checked it: the second band overlaps.
    PayoutBand.objects.filter(
        scheme__policy=policy, scheme__cause="illness", lower=Decimal("15000")
    ).update(lower=Decimal("14000"))

    with pytest.raises(ServiceError) as error:
        approve_claim(user=staff.poverty_office, claim_id=claim.pk)

    assert error.value.code == "invalid_payout_table"
    claim.refresh_from_db()
    assert claim.status == Status.NOTICE_PASSED
