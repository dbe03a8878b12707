"""The admin's policy copy and its read-only money records."""

from decimal import Decimal

import pytest

from payouts.admin import copy_policy
from payouts.models import Fund, PayoutBand, Policy
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
