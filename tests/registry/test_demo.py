"""The demo loader: every status reached through the services, the reference
shape, the fund and its ledger, valid ID numbers, and a second run that
creates nothing.

The demo is built once for the module at a tenth of the reference scale, in a
transaction rolled back when the module ends.
"""

import datetime
import io
import itertools
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims.models import Claim, PublicNotice, Status
from payouts.models import EntryKind, Fund, LedgerEntry, Payment, PaymentStatus
from registry.demo.shape import longest_steps
from registry.demo.timeline import (
    BEIJING,
    MIN_WINDOW,
    WINDOW,
    NoticeRule,
    draw_steps,
    make_window,
    place,
)
from registry.idnumbers import normalize_id_number
from registry.models import Household, HouseholdCategory, Member, User
from verification.models import Verification

SCALE = 0.1
# Claims per status in the reference year (1,200 claims at scale 1.0).
REFERENCE = {
    Status.SUBMITTED: 87,
    Status.VILLAGE_REVIEWED: 40,
    Status.TOWN_REVIEWED: 30,
    Status.IMPORTED: 180,
    Status.SCREENED: 40,
    Status.SCREENED_OUT: 290,
    Status.REFERRED: 63,
    Status.SCHEDULED: 45,
    Status.VERIFIED: 20,
    Status.CLOSED_INELIGIBLE: 199,
    Status.DELIBERATED: 12,
    Status.ON_NOTICE: 18,
    Status.NOTICE_PASSED: 20,
    Status.APPROVED: 30,
    Status.PAID: 74,
    Status.REJECTED: 27,
    Status.WITHDRAWN: 25,
}
REFERENCE_TOTAL = sum(REFERENCE.values())
RULE = NoticeRule(days=7, kind="calendar")
FIRST_STATUSES = {Status.SUBMITTED, Status.IMPORTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("load_demo", scale=SCALE, quiet=True)
        yield
        transaction.set_rollback(True)


def status_counts() -> dict[str, int]:
    return dict(Claim.objects.values_list("status").annotate(count=Count("id")))


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


@pytest.mark.django_db
def test_every_status_reached(demo):
    counts = status_counts()
    for status in Status:
        assert counts.get(status.value, 0) >= 1, status


@pytest.mark.django_db
def test_status_shares_follow_reference(demo):
    counts = status_counts()
    total = sum(counts.values())
    assert abs(total - REFERENCE_TOTAL * SCALE) <= 0.1 * REFERENCE_TOTAL * SCALE
    for status, reference in REFERENCE.items():
        share = counts.get(status.value, 0) / total
        assert abs(share - reference / REFERENCE_TOTAL) < 0.03, status


@pytest.mark.django_db
def test_funnel_follows_reference(demo):
    verifications = Verification.objects.count()
    passed = StateLog.objects.filter(transition="pass_notice").count()
    paid = Claim.objects.filter(status=Status.PAID)
    assert abs(verifications - 383 * SCALE) <= 0.15 * 383 * SCALE
    assert abs(passed - 126 * SCALE) <= 0.2 * 126 * SCALE
    assert abs(paid.count() - 74 * SCALE) <= 1


@pytest.mark.django_db
def test_paid_households_are_targeted(demo):
    categories = set(
        Claim.objects.filter(status=Status.PAID).values_list(
            "household__category", flat=True
        )
    )
    assert categories == {
        HouseholdCategory.EXITED_POVERTY,
        HouseholdCategory.LOW_INCOME,
    }


@pytest.mark.django_db
def test_channels_match_first_status(demo):
    for claim in Claim.objects.all():
        first = StateLog.objects.for_(claim).order_by("timestamp", "id").first()
        expected = "submitted" if claim.channel == "application" else "imported"
        assert first.transition == "register"
        assert first.state == expected, claim.number


@pytest.mark.django_db
def test_transition_log_chains_to_status(demo):
    logs = defaultdict(list)
    for log in StateLog.objects.order_by("timestamp", "id"):
        logs[log.object_id].append(log)
    for claim in Claim.objects.all():
        chain = logs[claim.pk]
        assert chain[0].source_state is None, claim.number
        for previous, log in itertools.pairwise(chain):
            assert log.source_state == previous.state, claim.number
        assert chain[-1].state == claim.status, claim.number


@pytest.mark.django_db
def test_claims_past_first_status_have_logs(demo):
    moved = Claim.objects.exclude(status__in=FIRST_STATUSES)
    logged = (
        StateLog.objects.exclude(transition="register")
        .values("object_id")
        .distinct()
        .count()
    )
    assert logged == moved.count()


@pytest.mark.django_db
def test_verified_claims_have_records(demo):
    checked = Claim.objects.filter(
        status__in=[
            Status.VERIFIED,
            Status.CLOSED_INELIGIBLE,
            Status.DELIBERATED,
            Status.ON_NOTICE,
            Status.NOTICE_PASSED,
            Status.APPROVED,
            Status.PAID,
        ]
    )
    for claim in checked:
        assert claim.verifications.exists(), claim.number


@pytest.mark.django_db
def test_fund_never_overspent(demo):
    fund = Fund.objects.get(year=timezone.localdate().year)
    assert fund.total == Decimal("4500000.00")
    assert fund.reserved + fund.disbursed <= fund.total
    assert fund.disbursed > 0


@pytest.mark.django_db
def test_ledger_matches_fund(demo):
    fund = Fund.objects.get(year=timezone.localdate().year)
    sums = dict(
        LedgerEntry.objects.filter(fund=fund)
        .values_list("kind")
        .annotate(total=Sum("amount"))
    )
    zero = Decimal("0")
    reserved = (
        sums.get(EntryKind.RESERVATION, zero)
        - sums.get(EntryKind.RELEASE, zero)
        - sums.get(EntryKind.DISBURSEMENT, zero)
    )
    assert fund.reserved == reserved
    assert fund.disbursed == sums[EntryKind.DISBURSEMENT]


@pytest.mark.django_db
def test_paid_claims_have_both_entries(demo):
    for payment in Payment.objects.filter(claim__status=Status.PAID):
        kinds = sorted(payment.entries.values_list("kind", flat=True))
        assert payment.status == PaymentStatus.PAID
        assert kinds == [EntryKind.DISBURSEMENT, EntryKind.RESERVATION]
        assert payment.certificate is not None


@pytest.mark.django_db
def test_approved_claims_hold_reservation(demo):
    for payment in Payment.objects.filter(claim__status=Status.APPROVED):
        kinds = list(payment.entries.values_list("kind", flat=True))
        assert payment.status == PaymentStatus.RESERVED
        assert kinds == [EntryKind.RESERVATION]


@pytest.mark.django_db
def test_dates_never_after_window(demo):
    # The window ends now, except early in January (see the timeline tests).
    now = timezone.now()
    year_start = datetime.datetime(now.astimezone(BEIJING).year, 1, 1, tzinfo=BEIJING)
    latest = max(now, year_start + MIN_WINDOW)
    assert not StateLog.objects.filter(timestamp__gt=latest).exists()
    assert not PublicNotice.objects.filter(closed_at__gt=latest).exists()


@pytest.mark.django_db
def test_notices_closed_after_period(demo):
    now = timezone.now()
    for notice in PublicNotice.objects.all():
        if notice.closed_at is None:
            assert notice.closes_at > now, notice.number
        else:
            assert notice.closed_at >= notice.closes_at, notice.number


@pytest.mark.django_db
def test_member_id_numbers_valid(demo):
    for member in Member.objects.select_related("household__village"):
        assert normalize_id_number(member.id_number) == member.id_number
        assert member.id_number[:6] == member.household.village.code[:6]


@pytest.mark.django_db
def test_household_sizes_realistic(demo):
    sizes = Household.objects.annotate(size=Count("members")).values_list(
        "size", flat=True
    )
    assert min(sizes) >= 1
    assert max(sizes) <= 6


@pytest.mark.django_db
def test_every_household_has_head(demo):
    headless = Household.objects.exclude(members__relation="head")
    assert not headless.exists()


@pytest.mark.django_db
def test_second_run_creates_nothing(demo):
    before = table_counts()
    call_command("load_demo", scale=SCALE, quiet=True)
    assert table_counts() == before


@pytest.mark.django_db
def test_second_run_prints_logins(demo):
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    text = output.getvalue()
    assert "already loaded" in text
    assert "clerk-xingling" in text
    assert "relief-demo" in text


@pytest.mark.django_db
def test_demo_logins_work(demo):
    clerk = User.objects.get(username="clerk-xingling")
    assert clerk.check_password("relief-demo")
    assert clerk.area.code == "349901100201"
    assert User.objects.filter(username__startswith="inspector").count() == 28


def test_window_mid_year_full_pace():
    now = datetime.datetime(2025, 6, 16, 10, 0, tzinfo=BEIJING)
    window = make_window(now, RULE, list(longest_steps()))
    assert window.end == now
    assert window.start == now - WINDOW
    assert window.pace == 1.0
    assert window.office_hours


@pytest.mark.parametrize("day", [1, 3, 10, 20])
def test_window_early_january_fits_payment(day):
    now = datetime.datetime(2026, 1, day, 10, 0, tzinfo=BEIJING)
    year_start = datetime.datetime(2026, 1, 1, tzinfo=BEIJING)
    rng = random.Random(day)
    window = make_window(now, RULE, list(longest_steps()))
    steps = longest_steps()
    times = place(rng, "paid", steps, draw_steps(rng, steps, window), window, RULE)
    assert window.start >= year_start
    assert times[0] >= window.start
    assert times[-1] <= window.end
    assert times == sorted(times)


def test_lay_out_closes_after_notice_period():
    now = datetime.datetime(2025, 6, 16, 10, 0, tzinfo=BEIJING)
    rng = random.Random(7)
    window = make_window(now, RULE, list(longest_steps()))
    steps = longest_steps()
    times = place(rng, "paid", steps, draw_steps(rng, steps, window), window, RULE)
    opened = times[steps.index("open_notice")]
    closed = times[steps.index("close_notices")]
    closing_day = opened.date() + datetime.timedelta(days=RULE.days)
    assert closed.astimezone(BEIJING).date() == closing_day
    assert closed > datetime.datetime.combine(closing_day, datetime.time(), BEIJING)
    assert times[-1] <= window.end


@pytest.mark.django_db
@pytest.mark.parametrize("scale", [0, -0.5, 1.5])
def test_scale_out_of_range_rejected(scale):
    with pytest.raises(CommandError, match="scale"):
        call_command("load_demo", scale=scale, quiet=True)
