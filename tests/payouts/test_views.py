"""Pages for approving, cancelling and paying payouts, the fund and its ledger,
certificate downloads and the public certificate check."""

import subprocess
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from claims.models import Status
from payouts import certificates
from payouts.models import EntryKind, Fund, LedgerEntry, Payment
from payouts.services import appropriate
from registry.models import Area, AreaLevel, Role
from tests.factories import UserFactory
from tests.journey import claim_at


@pytest.fixture
def city_office(staff):
    """A poverty office of the city, the level that may top up the fund."""
    city = Area.objects.get(level=AreaLevel.CITY)
    return UserFactory(username="city-office", role=Role.POVERTY_OFFICE, area=city)


@pytest.fixture
def passed(staff, household, policy, fund):
    """A claim whose notice passed: 18,000 yuan verified, 7,100 yuan payout."""
    return claim_at(Status.NOTICE_PASSED, household, staff)


@pytest.fixture
def approved(staff, household, policy, fund):
    return claim_at(Status.APPROVED, household, staff)


@pytest.fixture
def paid(staff, household, policy, fund):
    return claim_at(Status.PAID, household, staff)


def login(client, user):
    client.force_login(user)
    return client


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(content)
    # A fixed command on a file this test wrote.
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


# Approval ---------------------------------------------------------------------


@pytest.mark.django_db
def test_approve_preview_shows_computation(client, staff, passed):
    response = login(client, staff.poverty_office).get(
        reverse("payouts:approve", args=[passed.pk])
    )
    preview = response.context["preview"]
    assert response.status_code == 200
    assert preview.payout.amount == Decimal("7100.00")
    assert preview.payout.cap_left == Decimal("200000.00")
    assert [(row.lower, row.upper, row.rate_percent) for row in preview.rows] == [
        ("5000.00", "15000.00", "50"),
        ("15000.00", "18000.00", "70"),
    ]
    assert "7,100.00" in response.content.decode()


@pytest.mark.django_db
def test_approve_reserves_payout(client, staff, passed, fund):
    response = login(client, staff.poverty_office).post(
        reverse("payouts:approve", args=[passed.pk]), {"note": "同意"}
    )
    assert response.status_code == 302
    assert response.url == reverse("payouts:payment", args=[passed.pk])
    passed.refresh_from_db()
    assert passed.status == Status.APPROVED
    fund.refresh_from_db()
    assert fund.reserved == Decimal("7100.00")


@pytest.mark.django_db
def test_approve_beyond_fund_changes_nothing(client, staff, passed, fund):
    Fund.objects.filter(pk=fund.pk).update(total=Decimal("5000.00"))
    page = login(client, staff.poverty_office).get(
        reverse("payouts:approve", args=[passed.pk])
    )
    response = client.post(reverse("payouts:approve", args=[passed.pk]), {})
    message = response.context["form"].non_field_errors()[0]
    assert page.context["preview"].exceeds_fund
    assert response.status_code == 200
    assert "5000.00" in message
    assert "7100.00" in message
    passed.refresh_from_db()
    assert passed.status == Status.NOTICE_PASSED
    assert not Payment.objects.filter(claim=passed).exists()
    fund.refresh_from_db()
    assert fund.reserved == Decimal("0.00")


@pytest.mark.django_db
def test_approve_coordinator_forbidden(client, staff, passed):
    url = reverse("payouts:approve", args=[passed.pk])
    assert login(client, staff.coordinator).get(url).status_code == 403


@pytest.mark.django_db
def test_approve_other_county_not_found(client, staff, passed):
    url = reverse("payouts:approve", args=[passed.pk])
    assert login(client, staff.other_poverty_office).post(url).status_code == 404
    passed.refresh_from_db()
    assert passed.status == Status.NOTICE_PASSED


@pytest.mark.django_db
def test_approve_twice_refused(client, staff, approved):
    response = login(client, staff.poverty_office).post(
        reverse("payouts:approve", args=[approved.pk]), {}
    )
    assert approved.number in response.context["form"].non_field_errors()[0]
    assert Payment.objects.filter(claim=approved).count() == 1


@pytest.mark.django_db
def test_approve_page_after_approval(client, staff, approved):
    response = login(client, staff.poverty_office).get(
        reverse("payouts:approve", args=[approved.pk])
    )
    assert response.context["preview"] is None
    assert approved.number in response.context["unavailable"]
    assert reverse("payouts:payment", args=[approved.pk]) in response.content.decode()


# Cancelling and paying --------------------------------------------------------


@pytest.mark.django_db
def test_cancel_needs_reason(client, staff, approved):
    response = login(client, staff.poverty_office).post(
        reverse("payouts:cancel", args=[approved.pk]), {"note": ""}
    )
    assert "note" in response.context["form"].errors
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


@pytest.mark.django_db
def test_cancel_releases_reservation(client, staff, approved, fund):
    response = login(client, staff.poverty_office).post(
        reverse("payouts:cancel", args=[approved.pk]), {"note": "户籍迁出"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Status.REJECTED
    assert approved.closing_reason == "户籍迁出"
    fund.refresh_from_db()
    assert fund.reserved == Decimal("0.00")


@pytest.mark.django_db
def test_mark_paid_disburses(client, staff, approved, fund):
    response = login(client, staff.coordinator).post(
        reverse("payouts:mark_paid", args=[approved.pk]), {"bank_reference": "TX-1"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Status.PAID
    fund.refresh_from_db()
    assert fund.disbursed == Decimal("7100.00")
    assert Payment.objects.get(claim=approved).bank_reference == "TX-1"


@pytest.mark.django_db
def test_mark_paid_twice_pays_once(client, staff, approved, fund):
    url = reverse("payouts:mark_paid", args=[approved.pk])
    login(client, staff.coordinator).post(url, {"bank_reference": "TX-1"})
    response = client.post(url, {"bank_reference": "TX-2"}, follow=True)
    disbursements = LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT)
    assert disbursements.count() == 1
    assert "TX-1" in response.content.decode()
    fund.refresh_from_db()
    assert fund.disbursed == Decimal("7100.00")


@pytest.mark.django_db
def test_mark_paid_needs_reference(client, staff, approved):
    response = login(client, staff.coordinator).post(
        reverse("payouts:mark_paid", args=[approved.pk]), {"bank_reference": ""}
    )
    assert "bank_reference" in response.context["form"].errors
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


@pytest.mark.django_db
def test_mark_paid_office_forbidden(client, staff, approved):
    url = reverse("payouts:mark_paid", args=[approved.pk])
    response = login(client, staff.poverty_office).post(url, {"bank_reference": "X"})
    assert response.status_code == 403
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


@pytest.mark.django_db
def test_payment_page_shows_slices(client, staff, approved):
    response = login(client, staff.poverty_office).get(
        reverse("payouts:payment", args=[approved.pk])
    )
    assert response.status_code == 200
    assert [row.amount for row in response.context["rows"]] == ["5000.00", "2100.00"]


# Fund -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["poverty_office", "coordinator", "auditor"])
def test_fund_pages_for_fund_roles(client, staff, fund, role):
    login(client, getattr(staff, role))
    listing = client.get(reverse("payouts:funds"))
    detail = client.get(reverse("payouts:fund", args=[fund.pk]))
    assert listing.status_code == 200
    assert list(listing.context["funds"]) == [fund]
    assert detail.status_code == 200
    assert "4,500,000.00" in detail.content.decode()


@pytest.mark.django_db
def test_fund_page_clerk_forbidden(client, staff, fund):
    url = reverse("payouts:fund", args=[fund.pk])
    assert login(client, staff.village_clerk).get(url).status_code == 403


@pytest.mark.django_db
def test_fund_totals_after_approval(client, staff, approved, fund):
    response = login(client, staff.auditor).get(reverse("payouts:fund", args=[fund.pk]))
    shown = response.context["fund"]
    assert shown.reserved == Decimal("7100.00")
    assert shown.remaining == Decimal("4492900.00")
    assert [entry.kind for entry in response.context["page"]] == ["reservation"]


@pytest.mark.django_db
def test_ledger_paginated(client, staff, city_office, fund):
    for number in range(30):
        appropriate(
            user=city_office,
            fund_id=fund.pk,
            amount="1.00",
            reference=f"DOC-{number}",
        )
    login(client, staff.coordinator)
    first = client.get(reverse("payouts:fund", args=[fund.pk]))
    second = client.get(reverse("payouts:fund", args=[fund.pk]), {"page": 2})
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5
    assert first.context["page"][0].reference == "DOC-29"


@pytest.mark.django_db
def test_appropriation_adds_to_total(client, city_office, fund):
    response = login(client, city_office).post(
        reverse("payouts:fund", args=[fund.pk]),
        {"amount": "500000.00", "reference": "财预〔2025〕12号"},
    )
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.total == Decimal("5000000.00")
    entry = LedgerEntry.objects.get(fund=fund)
    assert entry.reference == "财预〔2025〕12号"


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1.005", "-10.00", "abc", "0"])
def test_appropriation_bad_amount(client, city_office, fund, amount):
    response = login(client, city_office).post(
        reverse("payouts:fund", args=[fund.pk]),
        {"amount": amount, "reference": "DOC"},
    )
    message = response.context["form"].errors["amount"][0]
    assert amount in message
    fund.refresh_from_db()
    assert fund.total == Decimal("4500000.00")
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_appropriation_coordinator_forbidden(client, staff, fund):
    response = login(client, staff.coordinator).post(
        reverse("payouts:fund", args=[fund.pk]),
        {"amount": "10.00", "reference": "DOC"},
    )
    assert response.status_code == 403
    fund.refresh_from_db()
    assert fund.total == Decimal("4500000.00")


# Certificates -----------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_being_prepared(client, staff, paid):
    response = login(client, staff.village_clerk).get(
        reverse("payouts:certificate_pdf", args=[paid.pk])
    )
    assert response.status_code == 202
    assert paid.payment.certificate.number in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["village_clerk", "poverty_office", "coordinator"])
def test_certificate_download(client, staff, paid, tmp_path, role):
    certificate = certificates.render_and_store(paid.payment.certificate.pk)
    response = login(client, getattr(staff, role)).get(
        reverse("payouts:certificate_pdf", args=[paid.pk])
    )
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate.number in pdf_text(content, tmp_path)


@pytest.mark.django_db
def test_certificate_by_certificate_pk(client, staff, paid):
    certificate = certificates.render_and_store(paid.payment.certificate.pk)
    url = reverse("payouts:certificate_pdf", kwargs={"certificate_pk": certificate.pk})
    response = login(client, staff.coordinator).get(url)
    assert response.status_code == 200
    assert certificate.number in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["other_clerk", "other_poverty_office", "town_reviewer", "auditor"]
)
def test_certificate_hidden_from_others(client, staff, paid, role):
    certificates.render_and_store(paid.payment.certificate.pk)
    url = reverse("payouts:certificate_pdf", args=[paid.pk])
    assert login(client, getattr(staff, role)).get(url).status_code == 404


@pytest.mark.django_db
def test_certificate_of_unpaid_claim_not_found(client, staff, approved):
    url = reverse("payouts:certificate_pdf", args=[approved.pk])
    assert login(client, staff.coordinator).get(url).status_code == 404


@pytest.mark.django_db
def test_check_genuine_certificate(client, paid, household, village):
    certificate = paid.payment.certificate
    response = client.get(
        reverse("payouts:check_certificate"),
        {"number": certificate.number, "code": certificate.verification_code.lower()},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"]["name"] == "张*"
    assert "7,100.00" in text
    assert "张建国" not in text
    assert village.name not in text
    assert household.head.id_number not in text


@pytest.mark.django_db
def test_check_wrong_code(client, paid):
    certificate = paid.payment.certificate
    response = client.get(
        reverse("payouts:check_certificate"),
        {"number": certificate.number, "code": "0000000000000000"},
    )
    assert response.context["checked"]
    assert response.context["result"] is None
    assert "7,100.00" not in response.content.decode()


# The actions shown on the claim page ------------------------------------------


def render_actions(claim, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "payouts/_claim_actions.html",
        {"claim": claim, "user": user, "request": request},
    )


@pytest.mark.django_db
def test_actions_approve_for_office(staff, passed):
    url = reverse("payouts:approve", args=[passed.pk])
    assert url in render_actions(passed, staff.poverty_office)
    assert render_actions(passed, staff.village_clerk).strip() == ""


@pytest.mark.django_db
def test_actions_on_approved_claim(staff, approved):
    office = render_actions(approved, staff.poverty_office)
    coordinator = render_actions(approved, staff.coordinator)
    assert reverse("payouts:cancel", args=[approved.pk]) in office
    assert reverse("payouts:mark_paid", args=[approved.pk]) in coordinator
    assert reverse("payouts:mark_paid", args=[approved.pk]) not in office


@pytest.mark.django_db
def test_actions_certificate_link(staff, paid):
    url = reverse("payouts:certificate_pdf", args=[paid.pk])
    assert url not in render_actions(paid, staff.village_clerk)
    certificates.render_and_store(paid.payment.certificate.pk)
    paid.refresh_from_db()
    assert url in render_actions(paid, staff.village_clerk)
    assert url not in render_actions(paid, staff.auditor)


@pytest.mark.django_db
def test_fund_missing_blocks_preview(client, staff, passed, fund):
    Fund.objects.filter(pk=fund.pk).delete()
    response = login(client, staff.poverty_office).get(
        reverse("payouts:approve", args=[passed.pk])
    )
    assert response.context["preview"].fund is None
    assert response.context["preview"].payout.amount == Decimal("7100.00")
