"""Input checks of the home check, and the page every refused request gets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims.models import Claim, Status
from relief.errors import ServiceError
from tests.journey import claim_at, eligible_home_check
from verification import services
from verification.models import Verification

pytestmark = pytest.mark.django_db


def backdate(claim: Claim, days: int) -> datetime.date:
    """Move the claim's registration ``days`` back and return its local date."""
    created = timezone.now() - datetime.timedelta(days=days)
    Claim.objects.filter(pk=claim.pk).update(created_at=created)
    return timezone.localdate(created)


def test_visit_before_registration(staff, household, policy, fund):
    claim = claim_at(Status.SCHEDULED, household, staff)
    registered = backdate(claim, 3)
    members = list(household.members.values_list("pk", flat=True))
    arguments = eligible_home_check(members, "18000.00")
    arguments["visited_on"] = datetime.date(1900, 1, 1)
    logs = StateLog.objects.count()

    with pytest.raises(ServiceError) as raised:
        services.record_verification(
            user=staff.inspector, claim_id=claim.pk, **arguments
        )

    assert raised.value.field == "visited_on"
    assert raised.value.code == "invalid_date"
    assert "1900-01-01" in raised.value.message
    assert str(registered) in raised.value.message
    assert Verification.objects.count() == 0
    assert StateLog.objects.count() == logs
    claim.refresh_from_db()
    assert claim.status == Status.SCHEDULED


def test_visit_on_registration_day(staff, household, policy, fund):
    claim = claim_at(Status.SCHEDULED, household, staff)
    registered = backdate(claim, 3)
    members = list(household.members.values_list("pk", flat=True))
    arguments = eligible_home_check(members, "18000.00")
    arguments["visited_on"] = registered

    record = services.record_verification(
        user=staff.inspector, claim_id=claim.pk, **arguments
    )

    assert record.visited_on == registered


def test_approve_page_refused(client, staff, household, policy, fund):
    claim = claim_at(Status.NOTICE_PASSED, household, staff)
    client.force_login(staff.coordinator)

    response = client.get(
        reverse("payouts:approve", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in html
    assert "Back to the work queue" in html
    assert 'class="topbar"' in html


def test_refused_page_in_chinese(client, staff, household, policy, fund):
    claim = claim_at(Status.NOTICE_PASSED, household, staff)
    client.force_login(staff.coordinator)

    response = client.get(
        reverse("payouts:approve", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in html
    assert "403 Forbidden" not in html


def test_home_check_page_refused(client, staff, household, policy, fund):
    claim = claim_at(Status.SCHEDULED, household, staff)
    client.force_login(staff.coordinator)

    response = client.get(
        reverse("verification:record", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.django_db
def test_inspector_choice_shows_login(staff):
    from verification.forms import ScheduleVisitForm

    staff.inspector.first_name = "叶凤兰"
    staff.inspector.save()
    labels = [label for _, label in ScheduleVisitForm().fields["inspector"].choices]

    assert any("叶凤兰 · inspector" in str(label) for label in labels)
