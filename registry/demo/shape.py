"""The shape of the reference program year, as groups of claims (cohorts).

Each cohort is a number of claims that take the same steps and so end in the
same status. At scale 1.0 the cohorts add up to the reference year: 1,200
claims, 383 finished verifications, 126 claims past their public notice and
74 paid (15 households that left poverty, 59 non-poor low-income ones).
"""

from dataclasses import dataclass

from claims.models import Channel, Status
from registry.models import HouseholdCategory

EXITED = HouseholdCategory.EXITED_POVERTY
LOW = HouseholdCategory.LOW_INCOME
ORDINARY = HouseholdCategory.ORDINARY

# Steps that bring a claim to the insurer, per channel.
APPLICATION_HEAD = ("register", "review_in_village", "review_in_town", "refer")
REFERRAL_HEAD = ("import", "screen_in", "refer")
# Steps after the referral to the insurer; HEAD stands for the channel's head.
HEAD = ("head",)
VERIFIED = (*HEAD, "schedule", "verify_eligible")
DELIBERATED = (*VERIFIED, "deliberate")
PASSED = (*DELIBERATED, "open_notice", "close_notices")

# Relative weights of exited-poverty, low-income and ordinary households.
MOSTLY_ORDINARY = {EXITED: 10, LOW: 20, ORDINARY: 70}
MIXED = {EXITED: 20, LOW: 30, ORDINARY: 50}
MOSTLY_TARGETED = {EXITED: 25, LOW: 60, ORDINARY: 15}
ONLY_EXITED = {EXITED: 1}
ONLY_LOW = {LOW: 1}

# Share of claims that reach the insurer through an application when a cohort
# takes either channel.
APPLICATION_SHARE = 0.45


@dataclass(frozen=True)
class Cohort:
    name: str
    status: str  # where its claims end
    channel: str | None  # None: either channel, split by APPLICATION_SHARE
    steps: tuple[str, ...]
    count: int  # at scale 1.0
    categories: dict[str, int]
    minimum: int = 1  # claims kept at the smallest scales

    def steps_for(self, channel: str) -> tuple[str, ...]:
        head = APPLICATION_HEAD if channel == Channel.APPLICATION else REFERRAL_HEAD
        if self.steps[:1] == HEAD:
            return head + self.steps[1:]
        return self.steps


APPLICATION = Channel.APPLICATION
REFERRAL = Channel.REFERRAL

COHORTS = (
    Cohort("submitted", Status.SUBMITTED, APPLICATION, ("register",), 87, MIXED),
    Cohort(
        "village_reviewed",
        Status.VILLAGE_REVIEWED,
        APPLICATION,
        ("register", "review_in_village"),
        40,
        MIXED,
    ),
    Cohort(
        "town_reviewed",
        Status.TOWN_REVIEWED,
        APPLICATION,
        APPLICATION_HEAD[:3],
        30,
        MIXED,
    ),
    Cohort(
        "rejected_by_village",
        Status.REJECTED,
        APPLICATION,
        ("register", "reject_in_village"),
        12,
        MOSTLY_ORDINARY,
    ),
    Cohort(
        "rejected_by_town",
        Status.REJECTED,
        APPLICATION,
        ("register", "review_in_village", "reject_in_town"),
        8,
        MOSTLY_ORDINARY,
    ),
    Cohort(
        "withdrawn_application",
        Status.WITHDRAWN,
        APPLICATION,
        ("register", "review_in_village", "withdraw"),
        15,
        MIXED,
    ),
    Cohort("imported", Status.IMPORTED, REFERRAL, ("import",), 180, MIXED),
    Cohort(
        "screened_out",
        Status.SCREENED_OUT,
        REFERRAL,
        ("import", "screen_out"),
        290,
        MOSTLY_ORDINARY,
    ),
    Cohort("screened", Status.SCREENED, REFERRAL, ("import", "screen_in"), 40, MIXED),
    Cohort("referred", Status.REFERRED, None, HEAD, 60, MIXED),
    Cohort("scheduled", Status.SCHEDULED, None, (*HEAD, "schedule"), 45, MIXED),
    Cohort(
        "withdrawn_after_referral",
        Status.WITHDRAWN,
        None,
        (*HEAD, "withdraw"),
        10,
        MIXED,
    ),
    Cohort(
        "closed_ineligible",
        Status.CLOSED_INELIGIBLE,
        None,
        (*HEAD, "schedule", "verify_ineligible"),
        199,
        MOSTLY_ORDINARY,
    ),
    Cohort("verified", Status.VERIFIED, None, VERIFIED, 20, MOSTLY_TARGETED),
    Cohort(
        "rejected_at_deliberation",
        Status.REJECTED,
        None,
        (*VERIFIED, "deliberate_without_majority"),
        5,
        MIXED,
    ),
    Cohort("deliberated", Status.DELIBERATED, None, DELIBERATED, 12, MOSTLY_TARGETED),
    Cohort(
        "on_notice",
        Status.ON_NOTICE,
        None,
        (*DELIBERATED, "open_notice"),
        18,
        MOSTLY_TARGETED,
    ),
    Cohort(
        "objection_upheld",
        Status.REFERRED,
        None,
        (*DELIBERATED, "open_notice", "object", "uphold"),
        3,
        MOSTLY_TARGETED,
    ),
    Cohort("notice_passed", Status.NOTICE_PASSED, None, PASSED, 20, MOSTLY_TARGETED),
    Cohort(
        "approved", Status.APPROVED, None, (*PASSED, "approve"), 30, MOSTLY_TARGETED
    ),
    Cohort(
        "approval_cancelled",
        Status.REJECTED,
        None,
        (*PASSED, "approve", "cancel_approval"),
        2,
        MOSTLY_TARGETED,
    ),
    Cohort(
        "paid_exited", Status.PAID, None, (*PASSED, "approve", "pay"), 15, ONLY_EXITED
    ),
    Cohort(
        "paid_low_income", Status.PAID, None, (*PASSED, "approve", "pay"), 57, ONLY_LOW
    ),
    Cohort(
        "paid_after_objection",
        Status.PAID,
        None,
        (
            *DELIBERATED,
            "open_notice",
            "object",
            "dismiss",
            "close_notices",
            "approve",
            "pay",
        ),
        2,
        ONLY_LOW,
        minimum=0,
    ),
)


def longest_steps() -> tuple[str, ...]:
    """Return the steps of the cohort with the most steps, on the longer channel."""
    return max((cohort.steps_for(APPLICATION) for cohort in COHORTS), key=len)


def scaled_counts(scale: float) -> dict[str, int]:
    """Return each cohort's number of claims at ``scale`` (1.0: the reference)."""
    return {
        cohort.name: max(cohort.minimum, round(cohort.count * scale))
        for cohort in COHORTS
    }
