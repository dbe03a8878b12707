"""The REST API: scoping by role and area, masking, steps, error bodies and
the OpenAPI schema."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from claims.models import Status
from payouts.services import appropriate
from registry.models import Area, AreaLevel, Role
from tests.factories import UserFactory, make_claim
from tests.journey import claim_at


@pytest.fixture
def city_office(staff):
    """A poverty office of the city, the level that may top up the fund."""
    city = Area.objects.get(level=AreaLevel.CITY)
    return UserFactory(username="city-office", role=Role.POVERTY_OFFICE, area=city)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The staff fixture hashes nine passwords; PBKDF2 takes ~0.3 s for each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def claim(staff, household, policy):
    return make_claim(household, staff.village_clerk)


def as_user(api, user):
    api.force_authenticate(user=None)
    api.force_login(user)
    return api


def transition(api, claim, step, note=""):
    return api.post(
        f"/api/claims/{claim.pk}/transitions/",
        {"step": step, "note": note},
        format="json",
    )


# Lists and scoping --------------------------------------------------------------


@pytest.mark.django_db
def test_list_for_county_office(api, staff, claim):
    data = as_user(api, staff.poverty_office).get("/api/claims/").json()
    assert data["count"] == 1
    assert data["results"][0]["number"] == claim.number
    assert data["results"][0]["amount_claimed"] == "18000.00"


@pytest.mark.django_db
def test_list_other_county_sees_none(api, staff, claim):
    data = as_user(api, staff.other_poverty_office).get("/api/claims/").json()
    assert data["count"] == 0


@pytest.mark.django_db
def test_detail_other_county_not_found(api, staff, claim):
    response = as_user(api, staff.other_poverty_office).get(f"/api/claims/{claim.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_list_filters_status(api, staff, claim, household):
    second = make_claim(household, staff.village_clerk, cause="schooling")
    as_user(api, staff.poverty_office)
    submitted = api.get("/api/claims/", {"status": "submitted"}).json()
    referred = api.get("/api/claims/", {"status": "referred"}).json()
    schooling = api.get("/api/claims/", {"cause": "schooling"}).json()
    assert submitted["count"] == 2
    assert referred["count"] == 0
    assert [row["number"] for row in schooling["results"]] == [second.number]


@pytest.mark.django_db
def test_list_unknown_filter_value(api, staff, claim):
    response = as_user(api, staff.poverty_office).get(
        "/api/claims/", {"status": "lost"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_filter",
        "message": response.json()["message"],
        "field": "status",
        "value": "lost",
    }


@pytest.mark.django_db
def test_inspector_sees_assigned_only(api, staff, household, policy, fund):
    scheduled = claim_at(Status.SCHEDULED, household, staff)
    make_claim(household, staff.village_clerk, cause="schooling")
    data = as_user(api, staff.inspector).get("/api/claims/").json()
    assert [row["id"] for row in data["results"]] == [scheduled.pk]


@pytest.mark.django_db
def test_anonymous_refused(api, claim):
    response = api.get("/api/claims/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


# Masking ---------------------------------------------------------------------


@pytest.mark.django_db
def test_office_sees_masked_id_numbers(api, staff, claim, household):
    head = household.head
    data = as_user(api, staff.poverty_office).get(f"/api/claims/{claim.pk}/").json()
    members = data["household"]["members"]
    assert data["head"]["id_number"] == head.masked_id_number
    assert head.id_number not in str(data)
    assert all("*" in member["id_number"] for member in members)


@pytest.mark.django_db
def test_clerk_sees_full_id_numbers(api, staff, claim, household):
    data = as_user(api, staff.village_clerk).get(f"/api/claims/{claim.pk}/").json()
    assert data["head"]["id_number"] == household.head.id_number


@pytest.mark.django_db
def test_list_masks_head_id_number(api, staff, claim, household):
    data = as_user(api, staff.auditor).get("/api/claims/").json()
    assert data["results"][0]["head"]["id_number"] == household.head.masked_id_number


@pytest.mark.django_db
def test_office_sees_masked_bank_account(api, staff, claim, household):
    household.bank_account = "6222020200112233445"
    household.phone = "13800138000"
    household.save()
    data = as_user(api, staff.poverty_office).get(f"/api/claims/{claim.pk}/").json()
    assert data["household"]["bank_account"] == "***************3445"
    assert data["household"]["phone"] == "*******8000"


@pytest.mark.django_db
def test_detail_includes_payment(api, staff, household, policy, fund):
    approved = claim_at(Status.APPROVED, household, staff)
    data = as_user(api, staff.poverty_office).get(f"/api/claims/{approved.pk}/").json()
    assert data["payment"]["amount"] == "7100.00"
    assert data["verification"]["per_capita_income"] == "3733.33"


# Steps and error bodies ---------------------------------------------------------


@pytest.mark.django_db
def test_transition_moves_claim(api, staff, claim):
    response = transition(as_user(api, staff.village_clerk), claim, "review_in_village")
    assert response.status_code == 200
    assert response.json()["status"] == "village_reviewed"
    claim.refresh_from_db()
    assert claim.status == Status.VILLAGE_REVIEWED


@pytest.mark.django_db
def test_transition_unknown_step(api, staff, claim):
    response = transition(as_user(api, staff.village_clerk), claim, "approve")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "unknown_step"
    assert body["field"] == "step"
    assert body["value"] == "approve"


@pytest.mark.django_db
def test_transition_wrong_state(api, staff, claim):
    response = transition(as_user(api, staff.poverty_office), claim, "refer")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["value"] == "submitted"


@pytest.mark.django_db
def test_transition_wrong_role(api, staff, claim):
    response = transition(as_user(api, staff.town_reviewer), claim, "review_in_village")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


@pytest.mark.django_db
def test_transition_reason_required(api, staff, claim):
    response = transition(as_user(api, staff.village_clerk), claim, "withdraw", " ")
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert response.json()["field"] == "note"
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


@pytest.mark.django_db
def test_transition_other_area_not_found(api, staff, claim):
    response = transition(as_user(api, staff.other_clerk), claim, "review_in_village")
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


@pytest.mark.django_db
def test_transition_missing_step(api, staff, claim):
    response = as_user(api, staff.village_clerk).post(
        f"/api/claims/{claim.pk}/transitions/", {}, format="json"
    )
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "step" in body["errors"]


# Funds ------------------------------------------------------------------------


@pytest.mark.django_db
def test_funds_for_office(api, staff, fund):
    data = as_user(api, staff.poverty_office).get("/api/funds/").json()
    row = data["results"][0]
    assert row["total"] == "4500000.00"
    assert row["remaining"] == "4500000.00"


@pytest.mark.django_db
def test_funds_hidden_from_clerk(api, staff, fund):
    as_user(api, staff.village_clerk)
    assert api.get("/api/funds/").json()["count"] == 0
    assert api.get(f"/api/funds/{fund.pk}/").status_code == 404


@pytest.mark.django_db
def test_fund_entries(api, staff, city_office, fund):
    appropriate(user=city_office, fund_id=fund.pk, amount="100.00", reference="DOC-1")
    data = as_user(api, staff.auditor).get(f"/api/funds/{fund.pk}/entries/").json()
    assert data["count"] == 1
    assert data["results"][0]["kind"] == "appropriation"
    assert Decimal(data["results"][0]["amount"]) == Decimal("100.00")


@pytest.mark.django_db
def test_funds_read_only(api, staff, fund):
    response = as_user(api, staff.poverty_office).post(
        "/api/funds/", {"year": 2030, "name": "x", "total": "1.00"}, format="json"
    )
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# Schema -----------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_lists_paths(api):
    response = api.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert response.status_code == 200
    assert "/api/claims/" in paths
    assert "/api/claims/{id}/transitions/" in paths
    assert "/api/funds/" in paths
    assert "/api/funds/{id}/entries/" in paths


@pytest.mark.django_db
def test_schema_has_no_warnings(tmp_path):
    # --fail-on-warn makes the command exit non-zero on any schema warning.
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", tmp_path / "s.yml"
    )
    assert (tmp_path / "s.yml").read_text().startswith("openapi:")
