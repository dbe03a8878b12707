"""The claim lifecycle: every allowed step for its role, and rejected steps
(out of order, wrong role, wrong area, unassigned inspector) that change
nothing."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from claims import notices, services
from claims.models import Claim, Objection, PublicNotice, Status
from claims.transitions import apply_transition
from payouts import services as payouts
from payouts.models import Fund, LedgerEntry, Payment
from registry.models import Role
from relief.errors import PermissionRefused, ServiceError, TransitionRefused
from tests.factories import UserFactory
from tests.journey import claim_at, deliberate, eligible_home_check, state_logs
from verification import services as verification
from verification.models import Verification, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(staff, household, policy, fund, today):
    """Everything a claim needs: staff, a household, the policy and the fund."""
    return staff


def new_log(claim: Claim, logs_before: int) -> StateLog:
    """Return the one StateLog row written since ``logs_before`` rows."""
    logs = list(state_logs(claim))
    assert len(logs) == logs_before + 1
    return logs[-1]


SIMPLE_STEPS = [
    # start, step, acting role, target
    (Status.SUBMITTED, "review_in_village", "village_clerk", Status.VILLAGE_REVIEWED),
    (Status.VILLAGE_REVIEWED, "review_in_town", "town_reviewer", Status.TOWN_REVIEWED),
    (Status.TOWN_REVIEWED, "refer", "poverty_office", Status.REFERRED),
    (Status.IMPORTED, "screen_in", "town_reviewer", Status.SCREENED),
    (Status.IMPORTED, "screen_out", "town_reviewer", Status.SCREENED_OUT),
    (Status.SCREENED, "refer", "poverty_office", Status.REFERRED),
    (Status.SUBMITTED, "reject", "village_clerk", Status.REJECTED),
    (Status.VILLAGE_REVIEWED, "reject", "town_reviewer", Status.REJECTED),
    (Status.SCHEDULED, "reject", "poverty_office", Status.REJECTED),
    (Status.ON_NOTICE, "reject", "poverty_office", Status.REJECTED),
    (Status.SUBMITTED, "withdraw", "village_clerk", Status.WITHDRAWN),
    (Status.VERIFIED, "withdraw", "village_clerk", Status.WITHDRAWN),
    (Status.NOTICE_PASSED, "withdraw", "village_clerk", Status.WITHDRAWN),
]


@pytest.mark.parametrize(("start", "step", "role", "target"), SIMPLE_STEPS)
def test_step_allowed_for_role(setup, household, start, step, role, target):
    claim = claim_at(start, household, setup)
    user = getattr(setup, role)
    logs_before = state_logs(claim).count()

    services.take_step(user=user, claim_id=claim.pk, step=step, note="核实无误")

    claim.refresh_from_db()
    assert claim.status == target
    log = new_log(claim, logs_before)
    assert log.transition == step
    assert log.source_state == start
    assert log.state == target
    assert log.by == user
    assert log.description == "核实无误"
    assert log.timestamp is not None


@pytest.mark.parametrize("step", ["screen_out", "reject", "withdraw"])
def test_closing_step_keeps_reason(setup, household, step):
    start = Status.IMPORTED if step == "screen_out" else Status.SUBMITTED
    claim = claim_at(start, household, setup)
    user = setup.town_reviewer if step == "screen_out" else setup.village_clerk

    services.take_step(user=user, claim_id=claim.pk, step=step, note="户主已外出务工")

    claim.refresh_from_db()
    assert claim.closing_reason == "户主已外出务工"


def test_schedule_visit_logged(setup, household, today):
    claim = claim_at(Status.REFERRED, household, setup)
    logs_before = state_logs(claim).count()

    visit = verification.schedule_visit(
        user=setup.coordinator,
        claim_id=claim.pk,
        inspector=setup.inspector,
        planned_on=today,
    )

    claim.refresh_from_db()
    assert claim.status == Status.SCHEDULED
    assert visit.inspector == setup.inspector
    log = new_log(claim, logs_before)
    assert log.transition == "schedule_visit"
    assert log.by == setup.coordinator
    assert str(today) in log.description


@pytest.mark.parametrize(
    ("wage", "target", "transition"),
    [
        ("30000.00", Status.VERIFIED, "verify_eligible"),
        ("90000.00", Status.CLOSED_INELIGIBLE, "verify_ineligible"),
    ],
)
def test_verification_logged(setup, household, wage, target, transition):
    claim = claim_at(Status.SCHEDULED, household, setup)
    logs_before = state_logs(claim).count()
    members = list(household.members.values_list("pk", flat=True))
    arguments = eligible_home_check(members, "18000.00")
    arguments["income"][0] = verification.IncomeLine("wage", wage)

    record = verification.record_verification(
        user=setup.inspector, claim_id=claim.pk, **arguments
    )

    claim.refresh_from_db()
    assert claim.status == target
    log = new_log(claim, logs_before)
    assert log.transition == transition
    assert log.by == setup.inspector
    assert log.description == record.reason


def test_deliberation_logged(setup, household):
    claim = claim_at(Status.VERIFIED, household, setup)
    logs_before = state_logs(claim).count()

    deliberation = deliberate(claim, setup.village_clerk)

    claim.refresh_from_db()
    assert claim.status == Status.DELIBERATED
    assert deliberation.passed
    log = new_log(claim, logs_before)
    assert log.transition == "record_deliberation"
    assert log.by == setup.village_clerk
    assert log.description == deliberation.minutes


@pytest.mark.parametrize(("present", "agreeing"), [(5, 5), (9, 5)])
def test_failed_deliberation_rejects(setup, household, present, agreeing):
    # Five of nine present misses the two-thirds quorum. Five agreeing of nine
    # present misses the two-thirds majority.
    claim = claim_at(Status.VERIFIED, household, setup)

    deliberation = deliberate(
        claim, setup.village_clerk, present=present, agreeing=agreeing
    )

    claim.refresh_from_db()
    assert claim.status == Status.REJECTED
    assert not deliberation.passed
    assert state_logs(claim).last().transition == "reject"


@pytest.mark.parametrize("role", ["village_clerk", "poverty_office"])
def test_post_notice_logged(setup, household, role):
    claim = claim_at(Status.DELIBERATED, household, setup)
    logs_before = state_logs(claim).count()
    user = getattr(setup, role)

    notice = notices.open_notice(user=user, claim_ids=[claim.pk])

    claim.refresh_from_db()
    assert claim.status == Status.ON_NOTICE
    log = new_log(claim, logs_before)
    assert log.transition == "post_notice"
    assert log.by == user
    assert notice.number in log.description


def test_pass_notice_logged_without_actor(setup, household):
    claim = claim_at(Status.ON_NOTICE, household, setup)
    notice = PublicNotice.objects.get(entries__claim=claim)
    logs_before = state_logs(claim).count()

    notices.close_notice(notice.pk, now=notice.closes_at)

    claim.refresh_from_db()
    assert claim.status == Status.NOTICE_PASSED
    log = new_log(claim, logs_before)
    assert log.transition == "pass_notice"
    assert log.by is None
    assert notice.number in log.description


def test_uphold_objection_logged(setup, household, today):
    claim = claim_at(Status.ON_NOTICE, household, setup)
    objection = notices.record_objection(
        user=setup.village_clerk,
        claim_id=claim.pk,
        raised_on=today,
        raised_by="村民甲",
        content="家中有营运车辆",
    )
    logs_before = state_logs(claim).count()

    notices.resolve_objection(
        user=setup.poverty_office,
        objection_id=objection.pk,
        upheld=True,
        resolution="车辆属实，重新核查",
    )

    claim.refresh_from_db()
    assert claim.status == Status.REFERRED
    log = new_log(claim, logs_before)
    assert log.transition == "uphold_objection"
    assert log.by == setup.poverty_office
    assert log.description == "车辆属实，重新核查"


def test_approve_logged(setup, household):
    claim = claim_at(Status.NOTICE_PASSED, household, setup)
    logs_before = state_logs(claim).count()

    payouts.approve_claim(user=setup.poverty_office, claim_id=claim.pk, note="同意")

    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    log = new_log(claim, logs_before)
    assert log.transition == "approve"
    assert log.by == setup.poverty_office
    assert log.description == "同意"


def test_mark_paid_logged(setup, household):
    claim = claim_at(Status.APPROVED, household, setup)
    logs_before = state_logs(claim).count()

    payouts.mark_paid(user=setup.coordinator, claim_id=claim.pk, bank_reference="B7")

    claim.refresh_from_db()
    assert claim.status == Status.PAID
    log = new_log(claim, logs_before)
    assert log.transition == "mark_paid"
    assert log.by == setup.coordinator
    assert log.description == "B7"


def test_cancel_approval_logged(setup, household):
    claim = claim_at(Status.APPROVED, household, setup)
    logs_before = state_logs(claim).count()

    payouts.cancel_approval(
        user=setup.poverty_office, claim_id=claim.pk, note="户主已迁出"
    )

    claim.refresh_from_db()
    assert claim.status == Status.REJECTED
    assert claim.closing_reason == "户主已迁出"
    log = new_log(claim, logs_before)
    assert log.transition == "cancel_approval"
    assert log.by == setup.poverty_office


def test_status_assignment_raises(setup, household):
    claim = claim_at(Status.SUBMITTED, household, setup)

    with pytest.raises(AttributeError):
        claim.status = Status.PAID

    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


# Rejected steps -----------------------------------------------------------


def _take(step):
    def act(user, claim, staff):
        services.take_step(user=user, claim_id=claim.pk, step=step, note="理由")

    return act


def _schedule(user, claim, staff):
    verification.schedule_visit(
        user=user,
        claim_id=claim.pk,
        inspector=staff.inspector,
        planned_on=timezone.localdate(),
    )


def _verify(user, claim, staff):
    members = list(claim.household.members.values_list("pk", flat=True))
    verification.record_verification(
        user=user, claim_id=claim.pk, **eligible_home_check(members, "18000.00")
    )


def _deliberate(user, claim, staff):
    deliberate(claim, user)


def _post_notice(user, claim, staff):
    notices.open_notice(user=user, claim_ids=[claim.pk])


def _approve(user, claim, staff):
    payouts.approve_claim(user=user, claim_id=claim.pk)


def _pay(user, claim, staff):
    payouts.mark_paid(user=user, claim_id=claim.pk, bank_reference="B1")


def _cancel(user, claim, staff):
    payouts.cancel_approval(user=user, claim_id=claim.pk, note="理由")


OUT_OF_ORDER = [
    # start, action, acting role
    (Status.VERIFIED, _approve, "poverty_office"),
    (Status.SUBMITTED, _approve, "poverty_office"),
    (Status.SUBMITTED, _take("refer"), "poverty_office"),
    (Status.SUBMITTED, _take("review_in_town"), "town_reviewer"),
    (Status.VILLAGE_REVIEWED, _take("review_in_village"), "village_clerk"),
    (Status.SUBMITTED, _take("screen_in"), "town_reviewer"),
    (Status.IMPORTED, _take("refer"), "poverty_office"),
    (Status.TOWN_REVIEWED, _schedule, "coordinator"),
    (Status.REFERRED, _verify, "inspector"),
    (Status.SCHEDULED, _deliberate, "village_clerk"),
    (Status.VERIFIED, _post_notice, "village_clerk"),
    (Status.NOTICE_PASSED, _pay, "coordinator"),
    (Status.NOTICE_PASSED, _cancel, "poverty_office"),
    (Status.APPROVED, _take("withdraw"), "village_clerk"),
    (Status.APPROVED, _take("reject"), "poverty_office"),
    (Status.PAID, _take("reject"), "poverty_office"),
    (Status.PAID, _cancel, "poverty_office"),
]

WRONG_ROLE_OR_AREA = [
    (Status.TOWN_REVIEWED, _take("refer"), "town_reviewer"),
    (Status.TOWN_REVIEWED, _take("refer"), "other_poverty_office"),
    (Status.SUBMITTED, _take("review_in_village"), "town_reviewer"),
    (Status.SUBMITTED, _take("review_in_village"), "other_clerk"),
    (Status.VILLAGE_REVIEWED, _take("review_in_town"), "other_town_reviewer"),
    (Status.IMPORTED, _take("screen_in"), "village_clerk"),
    (Status.SUBMITTED, _take("withdraw"), "other_clerk"),
    (Status.SUBMITTED, _take("withdraw"), "poverty_office"),
    (Status.SUBMITTED, _take("reject"), "auditor"),
    (Status.SUBMITTED, _take("reject"), "coordinator"),
    (Status.REFERRED, _schedule, "poverty_office"),
    (Status.REFERRED, _schedule, "inspector"),
    (Status.VERIFIED, _deliberate, "other_clerk"),
    (Status.VERIFIED, _deliberate, "town_reviewer"),
    (Status.DELIBERATED, _post_notice, "other_clerk"),
    (Status.DELIBERATED, _post_notice, "town_reviewer"),
    (Status.NOTICE_PASSED, _approve, "village_clerk"),
    (Status.NOTICE_PASSED, _approve, "other_poverty_office"),
    (Status.NOTICE_PASSED, _approve, "coordinator"),
    (Status.APPROVED, _pay, "poverty_office"),
    (Status.APPROVED, _cancel, "other_poverty_office"),
    (Status.APPROVED, _cancel, "village_clerk"),
]


def snapshot(claim: Claim) -> dict[str, object]:
    """Return every row count and total a rejected step must leave unchanged."""
    claim.refresh_from_db()
    fund = Fund.objects.get()
    return {
        "status": claim.status,
        "logs": state_logs(claim).count(),
        "visits": Visit.objects.count(),
        "verifications": Verification.objects.count(),
        "notices": PublicNotice.objects.count(),
        "objections": Objection.objects.count(),
        "payments": Payment.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "reserved": fund.reserved,
        "disbursed": fund.disbursed,
    }


def _attempt(setup, household, start, action, role, error_class):
    claim = claim_at(start, household, setup)
    before = snapshot(claim)

    with pytest.raises(ServiceError) as raised:
        action(getattr(setup, role), claim, setup)

    assert type(raised.value) is error_class
    assert snapshot(claim) == before
    return raised.value


@pytest.mark.parametrize(("start", "action", "role"), OUT_OF_ORDER)
def test_out_of_order_rejected(setup, household, start, action, role):
    error = _attempt(setup, household, start, action, role, TransitionRefused)

    assert error.code == "transition_not_allowed"
    assert error.field == "status"
    assert error.value == start


@pytest.mark.parametrize(("start", "action", "role"), WRONG_ROLE_OR_AREA)
def test_wrong_role_or_area_rejected(setup, household, start, action, role):
    error = _attempt(setup, household, start, action, role, PermissionRefused)

    assert error.code == "permission_denied"


@pytest.mark.parametrize("step", ["review_in_village", "withdraw", "reject"])
def test_withdrawn_claim_stays_closed(setup, household, step):
    claim = claim_at(Status.SUBMITTED, household, setup)
    _take("withdraw")(setup.village_clerk, claim, setup)
    before = snapshot(claim)

    with pytest.raises(TransitionRefused) as raised:
        _take(step)(setup.village_clerk, claim, setup)

    assert raised.value.value == Status.WITHDRAWN
    assert snapshot(claim) == before


def test_unassigned_inspector_rejected(setup, household):
    claim = claim_at(Status.SCHEDULED, household, setup)
    stranger = UserFactory(username="inspector-2", role=Role.INSPECTOR)
    before = snapshot(claim)

    with pytest.raises(PermissionRefused) as raised:
        _verify(stranger, claim, setup)

    assert raised.value.code == "permission_denied"
    assert snapshot(claim) == before


def test_inactive_clerk_rejected(setup, household):
    claim = claim_at(Status.SUBMITTED, household, setup)
    setup.village_clerk.is_active = False
    setup.village_clerk.save()
    before = snapshot(claim)

    with pytest.raises(PermissionRefused):
        _take("review_in_village")(setup.village_clerk, claim, setup)

    assert snapshot(claim) == before


def test_other_village_clerk_cannot_register(setup, household):
    claims_before = Claim.objects.count()

    with pytest.raises(PermissionRefused) as raised:
        services.register_application(
            user=setup.other_clerk,
            household=household,
            cause="illness",
            amount_claimed="18000.00",
        )

    assert raised.value.code == "permission_denied"
    assert Claim.objects.count() == claims_before


def test_unknown_step_rejected(setup, household):
    claim = claim_at(Status.NOTICE_PASSED, household, setup)
    before = snapshot(claim)

    # Approval reserves money, so it is no simple step.
    with pytest.raises(ServiceError) as raised:
        _take("approve")(setup.poverty_office, claim, setup)

    assert raised.value.code == "unknown_step"
    assert "approve" in raised.value.message
    assert snapshot(claim) == before


def test_reject_needs_reason(setup, household):
    claim = claim_at(Status.SUBMITTED, household, setup)
    before = snapshot(claim)

    with pytest.raises(ServiceError) as raised:
        services.take_step(
            user=setup.village_clerk, claim_id=claim.pk, step="reject", note="  "
        )

    assert raised.value.code == "reason_required"
    assert snapshot(claim) == before


def test_stale_claim_rejected(setup, household):
    # A copy read before another user's step still shows the old status. The
    # save's status check catches it even where no row lock was taken.
    claim = claim_at(Status.TOWN_REVIEWED, household, setup)
    stale = Claim.objects.get(pk=claim.pk)
    _take("refer")(setup.poverty_office, claim, setup)
    logs = state_logs(claim).count()

    with pytest.raises(TransitionRefused) as raised, transaction.atomic():
        apply_transition(stale, "reject", setup.poverty_office, "重复")

    assert raised.value.code == "concurrent_change"
    claim.refresh_from_db()
    assert claim.status == Status.REFERRED
    assert state_logs(claim).count() == logs
