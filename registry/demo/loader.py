"""Loading the whole demo in one transaction, on a simulated clock."""

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from claims.models import Claim
from payouts.models import Certificate
from registry.areas import load_areas
from registry.demo.clock import SimulatedClock, simulated_time
from registry.demo.finances import Tables
from registry.demo.fund import ensure_fund, ensure_policy
from registry.demo.households import create_households
from registry.demo.people import PeopleFactory
from registry.demo.plan import Planner, events_of
from registry.demo.shape import longest_steps, scaled_counts
from registry.demo.staff import MARKER_USERNAME, create_staff
from registry.demo.steps import StepRunner
from registry.demo.timeline import BEIJING, DAY, NoticeRule, make_window
from registry.models import Area, AreaLevel, Member, User
from worker.celery import app as celery_app

SEED = 20_200_101
CITY_CODE = "349900000000"
PROGRESS_STEPS = 10  # progress lines while replaying the claims

Output = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    households: int
    members: int
    users: int
    claims: int
    pending_certificates: int  # rendered when the transaction commits


def demo_loaded() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


def load_demo(
    scale: float = 1.0, seed: int = SEED, output: Output | None = None
) -> DemoSummary | None:
    """Build the demo at ``scale`` (1.0: the reference year) unless it exists.

    Return None when the database already contains the demo. Raise ValueError
    for a scale outside (0, 1].
    """
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be above 0 and at most 1, not {scale}")
    say = output or (lambda text: None)
    if demo_loaded():
        return None
    with _quiet_services(), transaction.atomic():
        summary = _build(scale, seed, say)
        _announce_certificates(summary.pending_certificates, say)
    return summary


def _build(scale: float, seed: int, say: Output) -> DemoSummary:
    now = timezone.now()
    year = now.astimezone(BEIJING).year
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    load_areas()
    areas = list(
        Area.objects.select_related("parent__parent").filter(
            code__startswith=CITY_CODE[:4]
        )
    )
    city = next(area for area in areas if area.code == CITY_CODE)
    villages = [area for area in areas if area.level == AreaLevel.VILLAGE]
    policy = ensure_policy(year)
    rule = NoticeRule(policy.notice_days, policy.notice_day_kind)
    window = make_window(now, rule, list(longest_steps()))
    clock = SimulatedClock(window.start - DAY)

    with simulated_time(clock):
        people = PeopleFactory(rng, seed, today=timezone.localdate())
        people.used_ids.update(Member.objects.values_list("id_number", flat=True))
        staff = create_staff(people, areas, joined=clock.now())
        built = create_households(people, villages, scale)
        say(f"Created {len(built.households)} households, {built.members} members.")
        fund = ensure_fund(year, city.name)
        planner = Planner(rng, Tables(policy), window, rule, fund.remaining)
        journeys = planner.plan(built.households, scaled_counts(scale))
        events = events_of(journeys)
        say(
            f"Replaying {len(events)} steps of {len(journeys)} claims from "
            f"{window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}."
        )
        runner = StepRunner(staff, people, policy, year)
        every = max(len(events) // PROGRESS_STEPS, 1)
        for index, event in enumerate(events, start=1):
            clock.move_to(event.at)
            runner.run(event)
            if index % every == 0:
                say(f"  {index}/{len(events)} steps")

    return DemoSummary(
        households=len(built.households),
        members=built.members,
        users=User.objects.count(),
        claims=Claim.objects.count(),
        pending_certificates=Certificate.objects.filter(pdf="").count(),
    )


def _announce_certificates(count: int, say: Output) -> None:
    """Say what happens to the certificates that ``mark_paid`` queued on commit."""
    if not count:
        return
    if celery_app.conf.task_always_eager:
        say(f"Rendering {count} payout certificates (under a second each)...")
    else:
        say(f"Queueing {count} payout certificates for the documents worker.")


@contextmanager
def _quiet_services() -> Iterator[None]:
    """Silence the services' per-step INFO logs, thousands of lines in a load."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)
