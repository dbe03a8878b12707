"""When each step of a demo claim happens.

Claims are replayed over a window of recent weeks that ends now and never
reaches back before 1 January, because a claim belongs to the policy year in
which it was registered. Human steps fall in office hours on working days.
The scheduled duty that closes notices runs at any hour, a few minutes after a
notice's period ends. Cohorts that wait in a status end within the last days,
so an open notice is still open when the load finishes.
"""

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from claims.notices import notice_period

BEIJING = ZoneInfo("Asia/Shanghai")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
WINDOW = datetime.timedelta(days=120)
# A window this short still fits a claim through a 7-day notice and payment.
# NOTE: early in January the window therefore ends after the real time, and
# the last steps of the load carry dates a few days ahead.
MIN_WINDOW = datetime.timedelta(days=14)
MARGIN = datetime.timedelta(minutes=30)
OPENING = datetime.time(8, 30)
CLOSING = datetime.time(17, 30)
# Department lists arrive by the 5th of each month.
IMPORT_DAY = 5
IMPORT_TIME = datetime.time(10, 0)

# Hours from the previous step to this one, at full pace.
DELAY_HOURS = {
    "register": (0, 0),
    "import": (0, 0),
    "review_in_village": (4, 72),
    "reject_in_village": (4, 72),
    "review_in_town": (12, 96),
    "reject_in_town": (12, 96),
    "screen_in": (24, 120),
    "screen_out": (24, 120),
    "refer": (12, 72),
    "withdraw": (24, 240),
    "schedule": (12, 72),
    "verify_eligible": (24, 96),
    "verify_ineligible": (24, 96),
    "deliberate": (48, 144),
    "deliberate_without_majority": (48, 144),
    "open_notice": (12, 72),
    "object": (12, 48),
    "uphold": (12, 48),
    "dismiss": (12, 48),
    "close_notices": (0, 0),
    "approve": (12, 96),
    "cancel_approval": (24, 120),
    "pay": (24, 144),
}
AUTOMATIC_STEPS = {"close_notices"}
# Days since the last step for cohorts that wait in their status.
WAITING_DAYS = {
    "submitted": (0, 5),
    "village_reviewed": (0, 5),
    "town_reviewed": (0, 4),
    "imported": (0, 0),
    "screened": (0, 7),
    "referred": (0, 4),
    "scheduled": (0, 3),
    "verified": (0, 5),
    "deliberated": (0, 4),
    "on_notice": (0, 5),
    "notice_passed": (0, 3),
    "approved": (0, 5),
}


@dataclass(frozen=True)
class NoticeRule:
    days: int
    kind: str


@dataclass(frozen=True)
class Window:
    start: datetime.datetime
    end: datetime.datetime
    pace: float  # 1.0: the delays above; less early in the year
    office_hours: bool


@dataclass(frozen=True)
class Draw:
    """The random parts of one step, drawn once so a claim can be re-laid."""

    delay: datetime.timedelta
    jitter: datetime.timedelta  # minutes after opening when moved to office hours


def make_window(
    now: datetime.datetime, rule: NoticeRule, longest_steps: list[str]
) -> Window:
    """Return the replay window ending at ``now`` inside ``now``'s year.

    Early in the year the delays shrink, by ``pace``, so that the longest
    journey still fits around a full notice period.
    """
    year_start = datetime.datetime(now.astimezone(BEIJING).year, 1, 1, tzinfo=BEIJING)
    end = max(now, year_start + MIN_WINDOW)
    start = max(year_start + HOUR, end - WINDOW)
    _first, _last, closes_at = notice_period(start, rule.days, rule.kind)
    room = end - start - (closes_at - start) - DAY
    needed = sum(
        (DELAY_HOURS[step][1] * HOUR for step in longest_steps), datetime.timedelta()
    )
    # Office hours and weekends can add up to three days per step.
    needed_with_waits = needed + len(longest_steps) * 3 * DAY
    if room >= needed_with_waits:
        return Window(start, end, pace=1.0, office_hours=True)
    return Window(start, end, pace=max(room / needed, 0.01), office_hours=False)


def draw_steps(
    rng: random.Random, steps: tuple[str, ...], window: Window
) -> list[Draw]:
    """Draw each step's delay and office-hours jitter at the window's pace."""
    draws = []
    for step in steps:
        low, high = DELAY_HOURS[step]
        if step in AUTOMATIC_STEPS:
            delay = datetime.timedelta(minutes=rng.uniform(1, 5))
        else:
            delay = rng.uniform(low, high) * window.pace * HOUR
        draws.append(Draw(delay, datetime.timedelta(minutes=rng.uniform(0, 240))))
    return draws


def lay_out(
    begin: datetime.datetime,
    steps: tuple[str, ...],
    draws: list[Draw],
    window: Window,
    rule: NoticeRule,
) -> list[datetime.datetime]:
    """Return the time of each step of a claim whose first step is due at ``begin``.

    A referral is imported with the last monthly list before ``begin``, and
    its next step keeps to ``begin`` as if it had been imported then.
    """
    times: list[datetime.datetime] = []
    moment = begin
    closes_at = None
    for step, draw in zip(steps, draws, strict=True):
        if step == "import":
            times.append(import_time(begin, window))
            continue
        if step in AUTOMATIC_STEPS:
            moment = max(closes_at, moment) + draw.delay
        else:
            moment = moment + draw.delay
            if window.office_hours:
                moment = _in_office_hours(moment, draw.jitter)
        if step == "open_notice":
            closes_at = notice_period(moment, rule.days, rule.kind)[2]
        times.append(moment)
    return times


def place(
    rng: random.Random,
    cohort: str,
    steps: tuple[str, ...],
    draws: list[Draw],
    window: Window,
    rule: NoticeRule,
) -> list[datetime.datetime]:
    """Lay a claim's steps out so that its last step ends inside the window."""
    latest_end = window.end - MARGIN
    trial = lay_out(window.start, steps, draws, window, rule)
    duration = trial[-1] - window.start
    if cohort in WAITING_DAYS:
        low, high = WAITING_DAYS[cohort]
        end = latest_end - datetime.timedelta(days=rng.uniform(low, high))
    else:
        slack = max(latest_end - window.start - duration, datetime.timedelta())
        end = window.start + duration + slack * rng.random()
    begin = max(end - duration, window.start)
    for _attempt in range(5):
        times = lay_out(begin, steps, draws, window, rule)
        overshoot = times[-1] - latest_end
        if overshoot <= datetime.timedelta():
            return times
        begin -= overshoot + HOUR
        if begin < window.start:
            break
    raise RuntimeError(
        f"cannot fit the steps of cohort {cohort} between {window.start} and "
        f"{window.end}: {steps}"
    )


def import_time(moment: datetime.datetime, window: Window) -> datetime.datetime:
    """Return the last monthly import at or before ``moment`` inside the window."""
    local = moment.astimezone(BEIJING)
    day = local.date().replace(day=IMPORT_DAY)
    instant = datetime.datetime.combine(day, IMPORT_TIME, BEIJING)
    if instant > moment:
        previous = (day.replace(day=1) - DAY).replace(day=IMPORT_DAY)
        instant = datetime.datetime.combine(previous, IMPORT_TIME, BEIJING)
    return max(instant, window.start)


def _in_office_hours(
    moment: datetime.datetime, jitter: datetime.timedelta
) -> datetime.datetime:
    local = moment.astimezone(BEIJING)
    if local.weekday() < 5 and OPENING <= local.time() < CLOSING:
        return moment
    day = local.date()
    if local.time() >= CLOSING:
        day += DAY
    while day.weekday() >= 5:
        day += DAY
    return datetime.datetime.combine(day, OPENING, BEIJING) + jitter
