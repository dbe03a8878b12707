"""Closing public notices and the objections raised during them."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims import notices, services
from claims.models import NoticeEntry, Objection, ObjectionStatus, PublicNotice, Status
from registry.models import Area, Role
from relief.errors import PermissionRefused, ServiceError
from tests.factories import UserFactory, make_household
from tests.journey import advance, claim_at, state_logs

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_notice(staff, household, policy, fund):
    return claim_at(Status.ON_NOTICE, household, staff)


@pytest.fixture
def notice(on_notice) -> PublicNotice:
    return PublicNotice.objects.get(entries__claim=on_notice)


def object_to(staff, claim, raised_on, content="家中有营运车辆"):
    return notices.record_objection(
        user=staff.village_clerk,
        claim_id=claim.pk,
        raised_on=raised_on,
        raised_by="村民甲",
        content=content,
    )


def resolve(staff, objection, upheld):
    return notices.resolve_objection(
        user=staff.poverty_office,
        objection_id=objection.pk,
        upheld=upheld,
        resolution="经复核属实" if upheld else "经复核不属实",
    )


def status_of(claim) -> str:
    claim.refresh_from_db()
    return claim.status


def test_entry_shows_payout(on_notice, notice):
    # 10,000 x 50% + 3,000 x 70% for 18,000 yuan of medical costs
    assert notice.entries.get().amount == Decimal("7100.00")


def test_closing_twice_changes_nothing(on_notice, notice):
    notices.close_notice(notice.pk, now=notice.closes_at)
    notice.refresh_from_db()
    closed_at = notice.closed_at
    logs = state_logs(on_notice).count()
    later = notice.closes_at + datetime.timedelta(days=3)

    assert notices.close_notice(notice.pk, now=later) is False
    assert notices.close_due_notices(now=later) == 0
    notice.refresh_from_db()
    assert notice.closed_at == closed_at
    assert state_logs(on_notice).count() == logs
    assert status_of(on_notice) == Status.NOTICE_PASSED


def test_database_rejects_early_close(notice):
    early = notice.closes_at - datetime.timedelta(seconds=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicNotice.objects.filter(pk=notice.pk).update(closed_at=early)


def test_closed_notice_takes_no_objection(staff, on_notice, notice):
    notices.close_notice(notice.pk, now=notice.closes_at)

    with pytest.raises(ServiceError) as raised:
        object_to(staff, on_notice, notice.starts_on)

    assert raised.value.code == "not_on_notice"
    assert Objection.objects.count() == 0


def test_pending_objection_blocks_passing(staff, on_notice, notice):
    object_to(staff, on_notice, notice.starts_on)

    closed = notices.close_due_notices(now=notice.closes_at)

    notice.refresh_from_db()
    assert closed == 1
    assert notice.closed_at is not None
    assert status_of(on_notice) == Status.ON_NOTICE


def test_upheld_objection_refers_again(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)

    resolve(staff, objection, upheld=True)

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert objection.resolved_by == staff.poverty_office
    assert objection.resolved_at is not None
    assert status_of(on_notice) == Status.REFERRED


def test_upheld_after_close_refers_again(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)
    notices.close_due_notices(now=notice.closes_at)

    resolve(staff, objection, upheld=True)

    assert status_of(on_notice) == Status.REFERRED


def test_dismissed_after_close_passes(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)
    notices.close_due_notices(now=notice.closes_at)

    resolve(staff, objection, upheld=False)

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert status_of(on_notice) == Status.NOTICE_PASSED
    assert state_logs(on_notice).last().transition == "pass_notice"


def test_dismissed_before_close_waits(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)

    resolve(staff, objection, upheld=False)

    assert status_of(on_notice) == Status.ON_NOTICE
    notices.close_due_notices(now=notice.closes_at)
    assert status_of(on_notice) == Status.NOTICE_PASSED


def test_one_of_two_objections_dismissed(staff, on_notice, notice):
    first = object_to(staff, on_notice, notice.starts_on)
    object_to(staff, on_notice, notice.starts_on, content="户主有工资收入")
    notices.close_due_notices(now=notice.closes_at)

    resolve(staff, first, upheld=False)

    assert status_of(on_notice) == Status.ON_NOTICE


def test_objection_outside_period(staff, on_notice, notice):
    late = notice.ends_on + datetime.timedelta(days=1)

    with pytest.raises(ServiceError) as raised:
        object_to(staff, on_notice, late)

    assert raised.value.code == "invalid_date"
    assert raised.value.field == "raised_on"
    assert str(late) in raised.value.message
    assert Objection.objects.count() == 0


def test_objection_dated_tomorrow(staff, on_notice, notice, today):
    # Tomorrow is inside the seven-day period but has not happened yet.
    tomorrow = today + datetime.timedelta(days=1)

    with pytest.raises(ServiceError) as raised:
        object_to(staff, on_notice, tomorrow)

    assert raised.value.field == "raised_on"
    assert str(tomorrow) in raised.value.message
    assert Objection.objects.count() == 0


def test_objection_needs_content(staff, on_notice, notice):
    with pytest.raises(ServiceError) as raised:
        object_to(staff, on_notice, notice.starts_on, content=" ")

    assert raised.value.field == "content"
    assert Objection.objects.count() == 0


def test_other_village_clerk_cannot_object(staff, on_notice, notice):
    with pytest.raises(PermissionRefused):
        notices.record_objection(
            user=staff.other_clerk,
            claim_id=on_notice.pk,
            raised_on=notice.starts_on,
            raised_by="村民甲",
            content="有车",
        )

    assert Objection.objects.count() == 0


def test_clerk_cannot_resolve(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)

    with pytest.raises(PermissionRefused):
        notices.resolve_objection(
            user=staff.village_clerk,
            objection_id=objection.pk,
            upheld=True,
            resolution="属实",
        )

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert status_of(on_notice) == Status.ON_NOTICE


def test_resolve_twice_rejected(staff, on_notice, notice):
    objection = object_to(staff, on_notice, notice.starts_on)
    resolve(staff, objection, upheld=False)

    with pytest.raises(ServiceError) as raised:
        resolve(staff, objection, upheld=True)

    assert raised.value.code == "objection_resolved"
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert status_of(on_notice) == Status.ON_NOTICE


def test_notice_of_two_villages_rejected(staff, policy, fund, household):
    nearby = Area.objects.filter(level="village", parent=household.village.parent)
    second_village = nearby.exclude(pk=household.village_id).first()
    second_clerk = UserFactory(
        username="clerk-2", role=Role.VILLAGE_CLERK, area=second_village
    )
    claims = [
        claim_at(Status.DELIBERATED, household, staff),
        claim_at(
            Status.DELIBERATED,
            make_household(second_village, head_name="李秀英"),
            dataclasses.replace(staff, village_clerk=second_clerk),
        ),
    ]
    notices_before = PublicNotice.objects.count()

    with pytest.raises(ServiceError) as raised:
        notices.open_notice(
            user=staff.poverty_office, claim_ids=[claim.pk for claim in claims]
        )

    assert raised.value.code == "mixed_villages"
    assert PublicNotice.objects.count() == notices_before
    assert [status_of(claim) for claim in claims] == [Status.DELIBERATED] * 2


def _open_three_days_ago(monkeypatch, staff, claim) -> PublicNotice:
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: three_days_ago)
        return notices.open_notice(user=staff.village_clerk, claim_ids=[claim.pk])


def test_old_notice_keeps_renoticed(monkeypatch, staff, household, policy, fund):
    # An objection upheld on a notice opened three days ago sends the claim back,
    # and it is verified again and posted on a new notice today.
    claim = claim_at(Status.DELIBERATED, household, staff)
    old = _open_three_days_ago(monkeypatch, staff, claim)
    resolve(staff, object_to(staff, claim, timezone.localdate()), upheld=True)
    advance(claim, to=Status.ON_NOTICE, staff=staff)
    new = notices.current_entry(claim).notice
    assert old.closes_at < new.closes_at

    notices.close_due_notices(now=old.closes_at)

    assert status_of(claim) == Status.ON_NOTICE
    notices.close_due_notices(now=new.closes_at)
    assert status_of(claim) == Status.NOTICE_PASSED


def test_old_objection_keeps_renoticed(monkeypatch, staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    old = _open_three_days_ago(monkeypatch, staff, claim)
    upheld = object_to(staff, claim, timezone.localdate())
    still_pending = object_to(staff, claim, timezone.localdate(), content="另有收入")
    resolve(staff, upheld, upheld=True)
    advance(claim, to=Status.ON_NOTICE, staff=staff)
    notices.close_due_notices(now=old.closes_at)

    resolve(staff, still_pending, upheld=False)

    assert status_of(claim) == Status.ON_NOTICE
    assert NoticeEntry.objects.filter(claim=claim).count() == 2


def test_objection_resolved_after_rejection(staff, on_notice, notice, today):
    objection = object_to(staff, on_notice, today)
    services.take_step(
        user=staff.poverty_office, claim_id=on_notice.pk, step="reject", note="户籍迁出"
    )

    resolved = resolve(staff, objection, upheld=True)

    assert resolved.status == ObjectionStatus.UPHELD
    assert status_of(on_notice) == Status.REJECTED


def test_notice_pdf_stored_on_open(
    staff, household, policy, fund, django_capture_on_commit_callbacks
):
    claim = claim_at(Status.DELIBERATED, household, staff)

    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.open_notice(user=staff.poverty_office, claim_ids=[claim.pk])

    notice.refresh_from_db()
    assert notice.pdf.name.endswith(f"{notice.number}.pdf")
