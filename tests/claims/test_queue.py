"""The login page, the work queue and the filterable list of claims."""

import pytest
from django.urls import reverse

from claims.models import Status
from claims.services import take_step
from registry.models import Area
from tests.conftest import OTHER_VILLAGE_CODE
from tests.factories import make_claim, make_household
from tests.journey import claim_at

pytestmark = pytest.mark.django_db

QUEUE = reverse("claims:queue")
LIST = reverse("claims:list")


@pytest.fixture(autouse=True)
def _english(client):
    """Ask for English pages, so messages match their msgids whatever the
    Chinese catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def numbers_on(response) -> set[str]:
    """Claim numbers listed in the page's claim table."""
    page = response.context["page"]
    return {claim.number for claim in page.object_list}


@pytest.fixture
def other_household(areas):
    return make_household(Area.objects.get(code=OTHER_VILLAGE_CODE), "李卫东")


def test_login_page_renders(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_login_redirects_to_queue(client, staff):
    response = client.post(
        reverse("login"), {"username": "clerk", "password": "demo-pass-123"}
    )

    assert response.status_code == 302
    assert response.url == QUEUE


def test_login_wrong_password_shows_error(client, staff):
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_queue_anonymous_redirects_to_login(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_queue_clerk_sees_submitted(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert numbers_on(response) == {claim.number}


def test_queue_town_sees_village_reviewed(client, staff, household, village, policy):
    waiting = claim_at(Status.VILLAGE_REVIEWED, household, staff)
    claim_at(Status.SUBMITTED, make_household(village, "王五"), staff)
    client.force_login(staff.town_reviewer)

    response = client.get(QUEUE)

    assert numbers_on(response) == {waiting.number}


def test_queue_office_sees_town_reviewed(client, staff, household, village, policy):
    waiting = claim_at(Status.TOWN_REVIEWED, household, staff)
    claim_at(Status.VILLAGE_REVIEWED, make_household(village, "王五"), staff)
    client.force_login(staff.poverty_office)

    response = client.get(QUEUE)

    assert numbers_on(response) == {waiting.number}


def test_queue_coordinator_sees_referred(client, staff, household, policy):
    waiting = claim_at(Status.REFERRED, household, staff)
    client.force_login(staff.coordinator)

    response = client.get(QUEUE)

    assert numbers_on(response) == {waiting.number}


def test_queue_excludes_other_village(
    client, staff, household, other_household, policy
):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.other_clerk)

    response = client.get(QUEUE)

    assert numbers_on(response) == set()


def test_queue_shows_columns(client, staff, household, policy):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    text = client.get(QUEUE).content.decode()

    assert "张建国" in text
    assert "兴岭村" in text
    assert "18,000.00" in text


def test_queue_masks_id_for_town(client, staff, household, policy):
    claim_at(Status.VILLAGE_REVIEWED, household, staff)
    head_id = household.head.id_number
    client.force_login(staff.town_reviewer)

    text = client.get(QUEUE).content.decode()

    assert head_id not in text
    assert f"{head_id[:6]}********{head_id[-4:]}" in text


def test_queue_shows_full_id_to_clerk(client, staff, household, policy):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    text = client.get(QUEUE).content.decode()

    assert household.head.id_number in text


def test_list_shows_every_visible_claim(client, staff, household, village, policy):
    first = claim_at(Status.SUBMITTED, household, staff)
    second = claim_at(Status.VILLAGE_REVIEWED, make_household(village, "王五"), staff)
    client.force_login(staff.poverty_office)

    response = client.get(LIST)

    assert response.status_code == 200
    assert numbers_on(response) == {first.number, second.number}


def test_list_filters_by_status(client, staff, household, village, policy):
    claim_at(Status.SUBMITTED, household, staff)
    reviewed = claim_at(Status.VILLAGE_REVIEWED, make_household(village, "王五"), staff)
    client.force_login(staff.village_clerk)

    response = client.get(LIST, {"status": Status.VILLAGE_REVIEWED})

    assert numbers_on(response) == {reviewed.number}


def test_list_filters_by_cause(client, staff, household, policy):
    illness = claim_at(Status.SUBMITTED, household, staff)
    disaster = make_claim(household, staff.village_clerk, cause="disaster")
    client.force_login(staff.village_clerk)

    response = client.get(LIST, {"cause": "disaster"})

    assert numbers_on(response) == {disaster.number}
    assert illness.number not in numbers_on(response)


def test_list_filters_by_village(
    client, staff, household, other_household, policy, areas
):
    ours = claim_at(Status.REFERRED, household, staff)
    theirs = make_claim(other_household, staff.other_clerk)
    take_step(user=staff.other_clerk, claim_id=theirs.pk, step="review_in_village")
    take_step(user=staff.other_town_reviewer, claim_id=theirs.pk, step="review_in_town")
    take_step(user=staff.other_poverty_office, claim_id=theirs.pk, step="refer")
    client.force_login(staff.coordinator)

    everything = client.get(LIST)
    one_village = client.get(LIST, {"village": household.village_id})

    assert numbers_on(everything) == {ours.number, theirs.number}
    assert numbers_on(one_village) == {ours.number}


def test_list_searches_claim_number(client, staff, household, village, policy):
    wanted = claim_at(Status.SUBMITTED, household, staff)
    claim_at(Status.SUBMITTED, make_household(village, "王五"), staff)
    client.force_login(staff.village_clerk)

    response = client.get(LIST, {"q": wanted.number})

    assert numbers_on(response) == {wanted.number}


def test_list_searches_head_name(client, staff, household, village, policy):
    claim_at(Status.SUBMITTED, household, staff)
    other = make_household(village, "王秀英")
    wanted = claim_at(Status.SUBMITTED, other, staff)
    client.force_login(staff.village_clerk)

    response = client.get(LIST, {"q": "秀英"})

    assert numbers_on(response) == {wanted.number}


def test_list_hides_other_area(client, staff, household, other_household, policy):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.other_poverty_office)

    response = client.get(LIST)

    assert numbers_on(response) == set()


def test_list_bad_status_shows_error(client, staff, household, policy):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(LIST, {"status": "lost"})

    assert numbers_on(response) == set()
    assert "lost" in response.context["form"].errors["status"][0]


def test_list_paginates(client, staff, village, policy):
    # One open illness claim per household is allowed, so 27 households.
    for index in range(27):
        claim_at(Status.SUBMITTED, make_household(village, f"户主{index}"), staff)
    client.force_login(staff.village_clerk)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2


def test_list_htmx_returns_table_only(client, staff, household, policy):
    claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(
        LIST,
        {"status": Status.SUBMITTED},
        headers={"HX-Request": "true", "HX-Target": "claim-table"},
    )

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="claim-table">')
    assert "<html" not in text


def test_language_default_is_chinese(client, staff):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(staff.village_clerk)

    response = client.get(QUEUE)

    assert response.headers["Content-Language"] == "zh-hans"


def test_language_switch_to_english(client, staff):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(staff.village_clerk)

    client.post(reverse("set_language"), {"language": "en", "next": QUEUE})
    response = client.get(QUEUE)

    assert b"Work queue" in response.content
    assert response.headers["Content-Language"] == "en"
