"""Input checks of registration, deliberation and documents: each bad input
gets an error naming the field and the value, and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims import services
from claims.forms import DeliberationForm, NoticeOpenForm
from claims.models import Claim, ClaimDocument, Deliberation, Status
from relief.errors import ServiceError
from tests.factories import make_claim, make_household
from tests.journey import claim_at, run_together
from verification.models import Verification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% hospital bill\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def deliberate(claim: Claim, user, **changes):
    arguments = {
        "held_on": timezone.localdate(),
        "members_total": 9,
        "members_present": 7,
        "members_agreeing": 6,
        "attendees": "村委会成员",
        "minutes": "同意",
    } | changes
    return services.record_deliberation(user=user, claim_id=claim.pk, **arguments)


def register(household, clerk, cause: str = "illness", documents=()) -> Claim:
    return services.register_application(
        user=clerk,
        household=household,
        cause=cause,
        amount_claimed=Decimal("18000.00"),
        documents=documents,
    )


def test_deliberation_before_visit(staff, household, policy, fund, today):
    claim = claim_at(Status.VERIFIED, household, staff)
    visited = today - datetime.timedelta(days=2)
    Verification.objects.filter(claim=claim).update(visited_on=visited)
    logs = StateLog.objects.count()

    with pytest.raises(ServiceError) as raised:
        deliberate(claim, staff.village_clerk, held_on=datetime.date(2020, 1, 1))

    assert raised.value.field == "held_on"
    assert raised.value.code == "invalid_date"
    assert "2020-01-01" in raised.value.message
    assert str(visited) in raised.value.message
    assert Deliberation.objects.count() == 0
    assert StateLog.objects.count() == logs


def test_deliberation_on_visit_day(staff, household, policy, fund, today):
    claim = claim_at(Status.VERIFIED, household, staff)
    visited = today - datetime.timedelta(days=2)
    Verification.objects.filter(claim=claim).update(visited_on=visited)

    meeting = deliberate(claim, staff.village_clerk, held_on=visited)

    assert meeting.held_on == visited


def test_duplicate_open_claim(staff, household, policy, fund):
    first = register(household, staff.village_clerk)
    before = Claim.objects.count()

    with pytest.raises(ServiceError) as raised:
        register(household, staff.village_clerk)

    assert raised.value.code == "duplicate_claim"
    assert raised.value.field == "household"
    assert first.number in raised.value.message
    assert Claim.objects.count() == before


def test_other_cause_allowed(staff, household, policy, fund):
    register(household, staff.village_clerk)

    second = register(household, staff.village_clerk, cause="disaster")

    assert second.cause == "disaster"


def test_closed_claim_allows_new(staff, household, policy, fund):
    first = register(household, staff.village_clerk)
    services.take_step(
        user=staff.village_clerk, claim_id=first.pk, step="withdraw", note="撤回"
    )

    second = register(household, staff.village_clerk)

    assert second.pk != first.pk


def test_other_year_allowed(staff, household, policy, fund, year):
    make_claim(household, staff.village_clerk, year=year - 1)

    claim = register(household, staff.village_clerk)

    assert claim.policy_year == year


def test_other_household_allowed(staff, household, village, policy, fund):
    register(household, staff.village_clerk)

    claim = register(make_household(village, "王五"), staff.village_clerk)

    assert claim.household_id != household.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite ignores SELECT ... FOR UPDATE and allows one writer at a time",
)
def test_duplicate_claim_race(staff, household, policy, fund):
    outcomes = run_together(
        *(lambda: register(household, staff.village_clerk) for _ in range(3))
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert Claim.objects.filter(household=household).count() == 1
    assert len(errors) == 2
    assert {error.code for error in errors} == {"duplicate_claim"}


@pytest.mark.parametrize(
    "field", ["members_total", "members_present", "members_agreeing"]
)
def test_deliberation_form_huge_count(field):
    data = {
        "held_on": "2026-01-05",
        "members_total": "9",
        "members_present": "7",
        "members_agreeing": "6",
        "attendees": "村委会成员",
        "minutes": "同意",
    }
    data[field] = "99999999999999999999999"

    form = DeliberationForm(data)

    assert not form.is_valid()
    assert "99999999999999999999999" in form.errors[field][0]


@pytest.mark.parametrize(
    ("total", "present", "agreeing", "field"),
    [
        (99999999999999999999999, 7, 6, "members_total"),
        (1000, 7, 6, "members_total"),
        (9, 1000, 6, "members_present"),
        (9, 7, 1000, "members_agreeing"),
    ],
)
def test_deliberation_count_bound(
    staff, household, policy, fund, total, present, agreeing, field
):
    claim = claim_at(Status.VERIFIED, household, staff)

    with pytest.raises(ServiceError) as raised:
        deliberate(
            claim,
            staff.village_clerk,
            members_total=total,
            members_present=present,
            members_agreeing=agreeing,
        )

    assert raised.value.field == field
    assert raised.value.code == "invalid_count"
    assert Deliberation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bill.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("x.png", b"<html><script>alert(1)</script></html>"),
        ("scan.jpg", PNG),
        ("scan.png", JPEG),
        ("bill.pdf", b""),
    ],
)
def test_document_content_mismatch(staff, household, policy, fund, name, content):
    document = SimpleUploadedFile(name, content)

    with pytest.raises(ServiceError) as raised:
        register(household, staff.village_clerk, documents=[document])

    assert raised.value.field == "documents"
    assert name in raised.value.message
    assert Claim.objects.count() == 0
    assert ClaimDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("bill.pdf", PDF), ("scan.PNG", PNG), ("scan.jpeg", JPEG), ("scan.jpg", JPEG)],
)
def test_document_stored_whole(staff, household, policy, fund, name, content):
    document = SimpleUploadedFile(name, content)

    claim = register(household, staff.village_clerk, documents=[document])

    stored = claim.documents.get()
    with stored.file.open("rb") as file:
        assert file.read() == content


def test_notice_form_huge_claim_id(staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    huge = "99999999999999999999999"

    form = NoticeOpenForm(
        {"claims": [str(claim.pk), huge]}, candidates=Claim.objects.all()
    )

    assert not form.is_valid()
    assert huge in form.errors["claims"][0]
