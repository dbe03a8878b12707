"""Pages for scheduling visits and recording home checks, driven through the
Django test client as the coordinator and the inspectors would use them."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from claims.models import Status
from registry.models import Role
from tests.factories import UserFactory, make_household
from tests.journey import claim_at
from verification.models import Verification, Visit


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The staff fixture hashes nine passwords; PBKDF2 takes ~0.3 s for each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def referred(staff, household, policy, fund):
    return claim_at(Status.REFERRED, household, staff)


@pytest.fixture
def scheduled(staff, household, policy, fund):
    return claim_at(Status.SCHEDULED, household, staff)


def login(client, user):
    client.force_login(user)
    return client


def home_check_data(household, **changes):
    """A valid POST of the home check page: the worked example, eligible."""
    data = {
        "visited_on": datetime.date.today().isoformat(),
        "members_present": [str(pk) for pk in household.members.values_list("pk")],
        "income-TOTAL_FORMS": "3",
        "income-INITIAL_FORMS": "0",
        "income-MIN_NUM_FORMS": "0",
        "income-MAX_NUM_FORMS": "50",
        "income-0-category": "wage",
        "income-0-description": "务工",
        "income-0-amount": "30000.00",
        "income-1-category": "transfer",
        "income-1-description": "",
        "income-1-amount": "1200.00",
        "income-2-category": "",
        "income-2-description": "",
        "income-2-amount": "",
        "production_costs": "2000.00",
        "rigid_expenditure": "18000.00",
        "verified_amount": "18000.00",
        "stable_income": "yes",
        "notes": "",
    }
    data["members_present"] = [
        str(pk) for pk in household.members.values_list("pk", flat=True)
    ]
    data.update(changes)
    return data


# Scheduling -------------------------------------------------------------------


@pytest.mark.django_db
def test_schedule_form_lists_inspectors(client, staff, referred, today):
    response = login(client, staff.coordinator).get(
        reverse("verification:schedule_visit", args=[referred.pk])
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert staff.inspector.username in text
    assert f'type="date" name="planned_on" value="{today.isoformat()}"' in text


@pytest.mark.django_db
def test_schedule_creates_visit(client, staff, referred, today):
    response = login(client, staff.coordinator).post(
        reverse("verification:schedule_visit", args=[referred.pk]),
        {
            "inspector": staff.inspector.pk,
            "planned_on": today.isoformat(),
            "vehicle": "闽A12345",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("verification:schedule")
    referred.refresh_from_db()
    assert referred.status == Status.SCHEDULED
    visit = Visit.objects.get(claim=referred)
    assert visit.inspector == staff.inspector
    assert visit.vehicle == "闽A12345"


@pytest.mark.django_db
def test_schedule_past_date_names_value(client, staff, referred, today):
    past = today - datetime.timedelta(days=3)
    response = login(client, staff.coordinator).post(
        reverse("verification:schedule_visit", args=[referred.pk]),
        {"inspector": staff.inspector.pk, "planned_on": past.isoformat()},
    )
    assert response.status_code == 200
    assert past.isoformat() in response.content.decode()
    assert "planned_on" in response.context["form"].errors
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED
    assert not Visit.objects.filter(claim=referred).exists()


@pytest.mark.django_db
def test_schedule_inactive_inspector_rejected(client, staff, referred, today):
    inactive = UserFactory(username="gone", role=Role.INSPECTOR, is_active=False)
    response = login(client, staff.coordinator).post(
        reverse("verification:schedule_visit", args=[referred.pk]),
        {"inspector": inactive.pk, "planned_on": today.isoformat()},
    )
    assert str(inactive.pk) in response.context["form"].errors["inspector"][0]
    assert not Visit.objects.filter(claim=referred).exists()


@pytest.mark.django_db
def test_schedule_invalid_date_named(client, staff, referred):
    response = login(client, staff.coordinator).post(
        reverse("verification:schedule_visit", args=[referred.pk]),
        {"inspector": staff.inspector.pk, "planned_on": "2026-13-45"},
    )
    assert "2026-13-45" in response.context["form"].errors["planned_on"][0]
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED


@pytest.mark.django_db
def test_schedule_wrong_role_forbidden(client, staff, referred):
    url = reverse("verification:schedule_visit", args=[referred.pk])
    assert login(client, staff.poverty_office).get(url).status_code == 403


@pytest.mark.django_db
def test_schedule_unseen_claim_not_found(client, staff, referred):
    url = reverse("verification:schedule_visit", args=[referred.pk])
    assert login(client, staff.other_poverty_office).get(url).status_code == 404


@pytest.mark.django_db
def test_schedule_wrong_status_shows_refusal(client, staff, scheduled):
    response = login(client, staff.coordinator).get(
        reverse("verification:schedule_visit", args=[scheduled.pk])
    )
    assert response.context["unavailable"]
    assert scheduled.number in response.context["unavailable"]


@pytest.mark.django_db
def test_schedule_page_groups_visits(client, staff, scheduled, village, today):
    # Another household, because one household may not have two open illness
    # claims.
    referred = claim_at(Status.REFERRED, make_household(village, "王五"), staff)
    response = login(client, staff.coordinator).get(reverse("verification:schedule"))
    assert response.status_code == 200
    days = response.context["days"]
    assert [day.date for day in days] == [today]
    assert days[0].inspectors[0].inspector == staff.inspector
    assert [visit.claim for visit in days[0].inspectors[0].visits] == [scheduled]
    assert list(response.context["awaiting"]) == [referred]


@pytest.mark.django_db
def test_schedule_page_filters_inspector(client, staff, scheduled):
    other = UserFactory(username="inspector-2", role=Role.INSPECTOR)
    response = login(client, staff.coordinator).get(
        reverse("verification:schedule"), {"inspector": other.pk}
    )
    assert response.context["days"] == []


@pytest.mark.django_db
def test_schedule_page_for_coordinator_only(client, staff):
    url = reverse("verification:schedule")
    assert login(client, staff.inspector).get(url).status_code == 403


# Home check -------------------------------------------------------------------


@pytest.mark.django_db
def test_home_check_form_for_inspector(client, staff, scheduled, household):
    response = login(client, staff.inspector).get(
        reverse("verification:record", args=[scheduled.pk])
    )
    assert response.status_code == 200
    assert household.head.name in response.content.decode()


@pytest.mark.django_db
def test_home_check_records_eligible(client, staff, scheduled, household):
    response = login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]),
        home_check_data(household),
    )
    record = Verification.objects.get(claim=scheduled)
    assert response.status_code == 302
    assert response.url == reverse("verification:detail", args=[record.pk])
    assert str(record.per_capita_income) == "3733.33"
    assert record.income_items.count() == 2
    scheduled.refresh_from_db()
    assert scheduled.status == Status.VERIFIED


@pytest.mark.django_db
def test_home_check_result_page(client, staff, scheduled, household):
    login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]),
        home_check_data(household),
    )
    record = Verification.objects.get(claim=scheduled)
    page = client.get(reverse("verification:detail", args=[record.pk]))
    text = page.content.decode()
    assert "3733.33" in text
    assert "5200.00" in text
    assert record.reason in text
    assert [row.passed for row in page.context["rows"]] == [None, True]


@pytest.mark.django_db
def test_home_check_ineligible_explains_burden(client, staff, scheduled, household):
    data = home_check_data(household, **{"income-0-amount": "90000.00"})
    login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]), data
    )
    record = Verification.objects.get(claim=scheduled)
    page = client.get(reverse("verification:detail", args=[record.pk]))
    assert record.conclusion == "ineligible"
    assert [row.passed for row in page.context["rows"]] == [None, False, False]
    scheduled.refresh_from_db()
    assert scheduled.status == Status.CLOSED_INELIGIBLE


@pytest.mark.django_db
def test_home_check_negative_income(client, staff, scheduled, household):
    data = home_check_data(household, **{"income-1-amount": "-100.00"})
    response = login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]), data
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[1].errors["amount"]
    assert "-100.00" in errors[0]
    assert "-100.00" in response.content.decode()
    assert not Verification.objects.filter(claim=scheduled).exists()
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


@pytest.mark.django_db
def test_home_check_three_decimal_amount(client, staff, scheduled, household):
    data = home_check_data(household, verified_amount="18000.125")
    response = login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]), data
    )
    message = response.context["form"].errors["verified_amount"][0]
    assert "18000.125" in message
    assert str(response.context["form"].fields["verified_amount"].label) in message
    assert not Verification.objects.filter(claim=scheduled).exists()


@pytest.mark.django_db
def test_home_check_stranger_member(client, staff, scheduled, household, village):
    stranger = make_household(village, head_name="李四").head
    data = home_check_data(household)
    data["members_present"] = [str(household.head.pk), str(stranger.pk)]
    response = login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]), data
    )
    message = response.context["form"].errors["members_present"][0]
    assert str(stranger.pk) in message
    assert not Verification.objects.filter(claim=scheduled).exists()
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


@pytest.mark.django_db
def test_home_check_future_date_from_service(client, staff, scheduled, household):
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    data = home_check_data(household, visited_on=future)
    response = login(client, staff.inspector).post(
        reverse("verification:record", args=[scheduled.pk]), data
    )
    assert future in response.context["form"].errors["visited_on"][0]
    assert not Verification.objects.filter(claim=scheduled).exists()


@pytest.mark.django_db
def test_home_check_other_inspector_not_found(client, staff, scheduled):
    other = UserFactory(username="inspector-2", role=Role.INSPECTOR)
    url = reverse("verification:record", args=[scheduled.pk])
    assert login(client, other).get(url).status_code == 404


@pytest.mark.django_db
def test_home_check_coordinator_forbidden(client, staff, scheduled):
    url = reverse("verification:record", args=[scheduled.pk])
    assert login(client, staff.coordinator).get(url).status_code == 403


@pytest.mark.django_db
def test_home_check_needs_login(client, scheduled):
    response = client.get(reverse("verification:record", args=[scheduled.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_detail_hidden_from_other_county(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    record = Verification.objects.get(claim=claim)
    url = reverse("verification:detail", args=[record.pk])
    assert login(client, staff.other_poverty_office).get(url).status_code == 404


@pytest.mark.django_db
def test_my_visits_lists_open_and_done(client, staff, household, village, policy):
    done = claim_at(Status.VERIFIED, household, staff)
    open_claim = claim_at(Status.SCHEDULED, make_household(village, "王五"), staff)
    response = login(client, staff.inspector).get(reverse("verification:my_visits"))
    assert [visit.claim for visit in response.context["open_visits"]] == [open_claim]
    assert [visit.claim for visit in response.context["done_page"]] == [done]
    record_url = reverse("verification:record", args=[open_claim.pk])
    assert record_url in response.content.decode()


@pytest.mark.django_db
def test_my_visits_for_inspectors_only(client, staff):
    url = reverse("verification:my_visits")
    assert login(client, staff.coordinator).get(url).status_code == 403


# The actions shown on the claim page ------------------------------------------


def render_actions(claim, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "verification/_claim_actions.html",
        {"claim": claim, "user": user, "request": request},
    )


@pytest.mark.django_db
def test_actions_schedule_for_coordinator(staff, referred):
    url = reverse("verification:schedule_visit", args=[referred.pk])
    assert url in render_actions(referred, staff.coordinator)
    assert url not in render_actions(referred, staff.poverty_office)


@pytest.mark.django_db
def test_actions_home_check_for_assignee(staff, scheduled):
    url = reverse("verification:record", args=[scheduled.pk])
    other = UserFactory(username="inspector-2", role=Role.INSPECTOR)
    assert url in render_actions(scheduled, staff.inspector)
    assert url not in render_actions(scheduled, other)
    assert render_actions(scheduled, staff.village_clerk).strip() == ""
