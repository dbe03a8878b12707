"""The admin: policy copy, band table and notice checks, read-only money records."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from payouts.admin import copy_policy
from payouts.models import Fund, PayoutBand, PayoutScheme, Policy
from registry.models import User


@pytest.mark.django_db
def test_copy_policy_copies_tables(policy):
    copy = copy_policy(Policy.objects.get(pk=policy.pk), policy.year + 1)

    assert copy.year == policy.year + 1
    assert copy.income_line == Decimal("5200.00")
    assert copy.schemes.count() == 3
    assert PayoutBand.objects.filter(scheme__policy=copy).count() == 7
    assert PayoutBand.objects.filter(scheme__policy=policy).count() == 7


@pytest.mark.django_db
def test_fund_total_read_only_after_creation(client, fund):
    admin = User.objects.create_superuser("root", password="root-pass-123")
    client.force_login(admin)

    response = client.post(
        f"/admin/payouts/fund/{fund.pk}/change/",
        {"year": fund.year, "name": fund.name, "total": "9999999.00"},
    )

    assert response.status_code in (200, 302)
    assert Fund.objects.get(pk=fund.pk).total == Decimal("4500000.00")


@pytest.mark.django_db
def test_ledger_admin_refuses_changes(client, fund):
    admin = User.objects.create_superuser("root", password="root-pass-123")
    client.force_login(admin)

    response = client.get("/admin/payouts/ledgerentry/add/")

    assert response.status_code == 403


def scheme_post(scheme, bands):
    """Return the admin change form's data for ``scheme`` with ``bands``
    (lower, upper, rate) in place of its band rows, row by row."""
    existing = list(scheme.bands.order_by("lower"))
    data = {
        "policy": scheme.policy_id,
        "cause": scheme.cause,
        "deductible": str(scheme.deductible),
        "mode": scheme.mode,
        "annual_cap": str(scheme.annual_cap),
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": str(len(existing)),
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for index, (lower, upper, rate) in enumerate(bands):
        prefix = f"bands-{index}-"
        data[prefix + "scheme"] = scheme.pk
        data[prefix + "id"] = existing[index].pk if index < len(existing) else ""
        data[prefix + "lower"] = lower
        data[prefix + "upper"] = upper
        data[prefix + "rate"] = rate
    return data


def band_rows(scheme):
    return [(b.lower, b.upper, b.rate) for b in scheme.bands.order_by("lower")]


@pytest.fixture
def superuser_client(client, db):
    admin = User.objects.create_superuser("root", password="root-pass-123")
    client.force_login(admin)
    return client


@pytest.fixture
def illness(policy):
    return PayoutScheme.objects.get(policy=policy, cause="illness")


@pytest.mark.django_db
def test_scheme_admin_rejects_overlap(superuser_client, illness):
    before = band_rows(illness)
    url = f"/admin/payouts/payoutscheme/{illness.pk}/change/"
    bands = [("5000", "15000", "0.5"), ("14000", "", "0.7"), ("35000", "", "0.9")]

    response = superuser_client.post(url, scheme_post(illness, bands))

    assert response.status_code == 200
    errors = " ".join(response.context["inline_admin_formsets"][0].non_form_errors())
    assert "14000" in errors
    assert band_rows(illness) == before


@pytest.mark.django_db
def test_scheme_admin_rejects_first_band_off_deductible(superuser_client, illness):
    url = f"/admin/payouts/payoutscheme/{illness.pk}/change/"
    data = scheme_post(illness, [("5000", "15000", "0.5"), ("15000", "", "0.7")])
    data["deductible"] = "6000.00"

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert PayoutScheme.objects.get(pk=illness.pk).deductible == Decimal("5000.00")


@pytest.mark.django_db
def test_scheme_admin_accepts_valid_change(superuser_client, illness):
    url = f"/admin/payouts/payoutscheme/{illness.pk}/change/"
    bands = [("5000", "15000", "0.5"), ("15000", "", "0.75")]
    data = scheme_post(illness, bands)
    data["bands-2-id"] = illness.bands.get(lower=Decimal("35000")).pk
    data["bands-2-scheme"] = illness.pk
    data["bands-2-lower"] = "35000"
    data["bands-2-upper"] = ""
    data["bands-2-rate"] = "0.9"
    data["bands-2-DELETE"] = "on"
    data["bands-TOTAL_FORMS"] = "3"

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    assert band_rows(illness) == [
        (Decimal("5000.00"), Decimal("15000.00"), Decimal("0.5000")),
        (Decimal("15000.00"), None, Decimal("0.7500")),
    ]


@pytest.mark.django_db
def test_scheme_admin_rate_message(superuser_client, illness):
    url = f"/admin/payouts/payoutscheme/{illness.pk}/change/"
    bands = [("5000", "15000", "0.5"), ("15000", "35000", "1.5"), ("35000", "", "0.9")]

    response = superuser_client.post(
        url, scheme_post(illness, bands), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "A band&#x27;s rate must be between 0 and 1." in page
    assert "payout_band_rate_fraction" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "61"])
def test_policy_admin_rejects_notice_days(superuser_client, policy, days):
    url = f"/admin/payouts/policy/{policy.pk}/change/"
    data = {
        "year": policy.year,
        "base_poverty_line": str(policy.base_poverty_line),
        "income_line_multiple": str(policy.income_line_multiple),
        "notice_days": days,
        "notice_day_kind": policy.notice_day_kind,
        "burden_ratio": str(policy.burden_ratio),
        "deliberation_numerator": "2",
        "deliberation_denominator": "3",
        "schemes-TOTAL_FORMS": "0",
        "schemes-INITIAL_FORMS": "0",
        "schemes-MIN_NUM_FORMS": "0",
        "schemes-MAX_NUM_FORMS": "1000",
    }

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "notice_days" in response.context["adminform"].form.errors
    assert Policy.objects.get(pk=policy.pk).notice_days == 7


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 61])
def test_database_rejects_notice_days(policy, days):
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=policy.pk).update(notice_days=days)
