"""The period of a public notice on the Beijing calendar, and when it closes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from claims import notices
from claims.models import Status
from payouts.models import NoticeDayKind
from tests.journey import claim_at

BEIJING = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
CALENDAR = NoticeDayKind.CALENDAR
WORKING = NoticeDayKind.WORKING

# 00:05 on Monday 3 March 2025 in Beijing is still Sunday 2 March in UTC.
MONDAY_0005 = datetime.datetime(2025, 3, 2, 16, 5, tzinfo=UTC)


def beijing_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=BEIJING)


def test_period_starts_on_beijing_date():
    first, _last, _closes = notices.notice_period(MONDAY_0005, 7, CALENDAR)

    assert first == datetime.date(2025, 3, 3)


def test_period_ends_six_days_later():
    first, last, _closes = notices.notice_period(MONDAY_0005, 7, CALENDAR)

    assert last == datetime.date(2025, 3, 9)
    assert (last - first).days + 1 == 7


def test_period_closes_midnight_after_last_day():
    _first, _last, closes_at = notices.notice_period(MONDAY_0005, 7, CALENDAR)

    assert closes_at == beijing_midnight(datetime.date(2025, 3, 10))
    assert closes_at == datetime.datetime(2025, 3, 9, 16, 0, tzinfo=UTC)


def test_period_opened_late_evening():
    # 23:59 on Sunday 2 March in Beijing: the Sunday is the first day.
    opened_at = datetime.datetime(2025, 3, 2, 15, 59, tzinfo=UTC)

    first, last, _closes = notices.notice_period(opened_at, 7, CALENDAR)

    assert first == datetime.date(2025, 3, 2)
    assert last == datetime.date(2025, 3, 8)


def test_working_days_skip_weekend():
    # Monday 3 March, 7 working days: 3-7 and 10-11 March.
    first, last, closes_at = notices.notice_period(MONDAY_0005, 7, WORKING)

    assert first == datetime.date(2025, 3, 3)
    assert last == datetime.date(2025, 3, 11)
    assert closes_at == beijing_midnight(datetime.date(2025, 3, 12))


def test_working_days_five_end_friday():
    _first, last, closes_at = notices.notice_period(MONDAY_0005, 5, WORKING)

    assert last == datetime.date(2025, 3, 7)
    assert closes_at == beijing_midnight(datetime.date(2025, 3, 8))


def test_working_days_opened_saturday():
    # 10:00 on Saturday 8 March in Beijing: the period starts on Monday 10 March.
    opened_at = datetime.datetime(2025, 3, 8, 2, 0, tzinfo=UTC)

    first, last, _closes = notices.notice_period(opened_at, 5, WORKING)

    assert first == datetime.date(2025, 3, 10)
    assert last == datetime.date(2025, 3, 14)


def test_working_days_opened_friday():
    # Friday 7 March counts, but Saturday and Sunday do not.
    opened_at = datetime.datetime(2025, 3, 7, 1, 0, tzinfo=UTC)

    first, last, _closes = notices.notice_period(opened_at, 2, WORKING)

    assert first == datetime.date(2025, 3, 7)
    assert last == datetime.date(2025, 3, 10)


def test_one_day_notice():
    first, last, closes_at = notices.notice_period(MONDAY_0005, 1, CALENDAR)

    assert last == first
    assert closes_at == beijing_midnight(datetime.date(2025, 3, 4))


@pytest.mark.parametrize("days", [0, -7])
def test_period_needs_one_day(days):
    with pytest.raises(ValueError, match=str(days)):
        notices.notice_period(MONDAY_0005, days, CALENDAR)


# Through open_notice --------------------------------------------------------


@pytest.fixture
def deliberated(staff, household, policy, fund):
    return claim_at(Status.DELIBERATED, household, staff)


def open_at(monkeypatch, when, user, claim):
    """Open a notice for ``claim`` as if the clock read ``when``."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: when)
        return notices.open_notice(user=user, claim_ids=[claim.pk])


@pytest.fixture
def tomorrow_0005(today):
    """00:05 Beijing time tomorrow, which is 16:05 UTC today."""
    return datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time(0, 5), tzinfo=BEIJING
    )


@pytest.mark.django_db
def test_opened_after_midnight_stored(
    monkeypatch, staff, deliberated, today, tomorrow_0005
):
    notice = open_at(monkeypatch, tomorrow_0005, staff.village_clerk, deliberated)

    notice.refresh_from_db()
    assert tomorrow_0005.astimezone(UTC).time() == datetime.time(16, 5)
    assert notice.starts_on == today + datetime.timedelta(days=1)
    assert notice.ends_on == today + datetime.timedelta(days=7)
    assert notice.closes_at == beijing_midnight(today + datetime.timedelta(days=8))
    assert notice.number.startswith(f"GS{notice.starts_on:%Y%m%d}")


@pytest.mark.django_db
def test_working_day_policy_used(
    monkeypatch, staff, policy, deliberated, tomorrow_0005
):
    policy.notice_day_kind = WORKING
    policy.notice_days = 5
    policy.save()

    notice = open_at(monkeypatch, tomorrow_0005, staff.village_clerk, deliberated)

    expected = notices.notice_period(tomorrow_0005, 5, WORKING)
    assert (notice.starts_on, notice.ends_on, notice.closes_at) == expected
    assert notice.starts_on.weekday() < 5
    assert notice.ends_on.weekday() < 5


@pytest.mark.django_db
def test_not_closed_one_second_early(monkeypatch, staff, deliberated, tomorrow_0005):
    notice = open_at(monkeypatch, tomorrow_0005, staff.village_clerk, deliberated)
    early = notice.closes_at - datetime.timedelta(seconds=1)

    closed = notices.close_due_notices(now=early)

    notice.refresh_from_db()
    deliberated.refresh_from_db()
    assert closed == 0
    assert notice.closed_at is None
    assert deliberated.status == Status.ON_NOTICE


@pytest.mark.django_db
def test_closed_at_closes_at(monkeypatch, staff, deliberated, tomorrow_0005):
    notice = open_at(monkeypatch, tomorrow_0005, staff.village_clerk, deliberated)

    closed = notices.close_due_notices(now=notice.closes_at)

    notice.refresh_from_db()
    deliberated.refresh_from_db()
    assert closed == 1
    assert notice.closed_at == notice.closes_at
    assert deliberated.status == Status.NOTICE_PASSED


@pytest.mark.django_db
def test_close_notice_early_returns_false(
    monkeypatch, staff, deliberated, tomorrow_0005
):
    notice = open_at(monkeypatch, tomorrow_0005, staff.village_clerk, deliberated)
    early = notice.closes_at - datetime.timedelta(microseconds=1)

    assert notices.close_notice(notice.pk, now=early) is False
