"""Planning the demo claims: which household claims what, when each step happens."""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claims.models import Channel
from payouts.models import Cause
from registry.demo.finances import FUND_SHARE, Amounts, Tables
from registry.demo.shape import APPLICATION_SHARE, COHORTS, Cohort
from registry.demo.timeline import BEIJING, NoticeRule, Window, draw_steps, place
from registry.models import Household

APPLICATION_CAUSES = {Cause.ILLNESS: 70, Cause.DISASTER: 15, Cause.SCHOOLING: 15}
REFERRAL_CAUSES = {Cause.ILLNESS: 85, Cause.DISASTER: 15}
# Department clerks who send referrals of each cause, and their weights.
REFERRAL_SENDERS = {
    Cause.ILLNESS: {"medical-clerk": 80, "civil-clerk": 20},
    Cause.DISASTER: {"emergency-clerk": 1},
}


@dataclass
class Journey:
    """One demo claim: its household, amounts, steps and their times."""

    cohort: str
    channel: str
    household: Household
    cause: str
    amounts: Amounts
    steps: tuple[str, ...]
    times: list[datetime.datetime] = field(default_factory=list)
    sender: str = ""  # department clerk's username, for referrals
    planned_on: datetime.date | None = None  # the home visit's date
    claim_id: int | None = None


@dataclass
class Event:
    at: datetime.datetime
    order: int
    step: str
    journeys: list[Journey]


class Planner:
    def __init__(
        self,
        rng: random.Random,
        tables: Tables,
        window: Window,
        rule: NoticeRule,
        budget: Decimal,
    ) -> None:
        self.rng = rng
        self.tables = tables
        self.window = window
        self.rule = rule
        self.budget = budget * FUND_SHARE
        self.planned_payouts = Decimal("0.00")

    def plan(
        self, households: Sequence[Household], counts: dict[str, int]
    ) -> list[Journey]:
        wanted = sum(counts.values())
        if wanted > len(households):
            raise ValueError(
                f"{wanted} claims need as many households, but only "
                f"{len(households)} exist; use a larger scale"
            )
        pools = self._pools(households)
        journeys = []
        for cohort in COHORTS:
            for _ in range(counts[cohort.name]):
                journeys.append(self._journey(cohort, pools))
        return journeys

    def _pools(self, households: Sequence[Household]) -> dict[str, list[Household]]:
        pools: dict[str, list[Household]] = defaultdict(list)
        for household in households:
            pools[household.category].append(household)
        for pool in pools.values():
            self.rng.shuffle(pool)
        return pools

    def _household(
        self, cohort: Cohort, pools: dict[str, list[Household]]
    ) -> Household:
        categories = list(cohort.categories)
        wanted = self.rng.choices(categories, list(cohort.categories.values()))[0]
        for category in [wanted, *categories, *pools]:
            if pools.get(category):
                return pools[category].pop()
        raise ValueError("no household is left for another claim")

    def _journey(self, cohort: Cohort, pools: dict[str, list[Household]]) -> Journey:
        rng = self.rng
        channel = cohort.channel or (
            Channel.APPLICATION
            if rng.random() < APPLICATION_SHARE
            else Channel.REFERRAL
        )
        causes = (
            APPLICATION_CAUSES if channel == Channel.APPLICATION else REFERRAL_CAUSES
        )
        cause = rng.choices(list(causes), list(causes.values()))[0]
        steps = cohort.steps_for(channel)
        journey = Journey(
            cohort=cohort.name,
            channel=channel,
            household=self._household(cohort, pools),
            cause=cause,
            amounts=self._amounts(cause, "approve" in steps),
            steps=steps,
        )
        if channel == Channel.REFERRAL:
            senders = REFERRAL_SENDERS[cause]
            journey.sender = rng.choices(list(senders), list(senders.values()))[0]
        draws = draw_steps(rng, steps, self.window)
        journey.times = place(rng, cohort.name, steps, draws, self.window, self.rule)
        journey.planned_on = self._visit_date(journey)
        return journey

    def _amounts(self, cause: str, approved: bool) -> Amounts:
        amounts = self.tables.draw_amounts(self.rng, cause)
        if not approved:
            return amounts
        payout = self.tables.payout(cause, amounts.verified)
        if self.planned_payouts + payout > self.budget:
            amounts = self.tables.smallest_amounts(cause)
            payout = self.tables.payout(cause, amounts.verified)
        if self.planned_payouts + payout > self.budget:
            raise ValueError(f"the fund cannot pay the planned payouts ({self.budget})")
        self.planned_payouts += payout
        return amounts

    def _visit_date(self, journey: Journey) -> datetime.date | None:
        if "schedule" not in journey.steps:
            return None
        index = journey.steps.index("schedule")
        if index + 1 < len(journey.steps):
            return journey.times[index + 1].astimezone(BEIJING).date()
        # A visit still to come, in the days after the load.
        end = self.window.end.astimezone(BEIJING).date()
        return end + datetime.timedelta(days=self.rng.randint(1, 5))


def events_of(journeys: Sequence[Journey]) -> list[Event]:
    """Return every step of every journey in time order.

    Referrals that one department sends in the same monthly list become one
    import event, as one list file would.
    """
    events: list[Event] = []
    imports: dict[tuple[datetime.datetime, str], Event] = {}
    for journey in journeys:
        for step, at in zip(journey.steps, journey.times, strict=True):
            if step == "import":
                key = (at, journey.sender)
                if key not in imports:
                    imports[key] = Event(at, len(events), step, [])
                    events.append(imports[key])
                imports[key].journeys.append(journey)
            else:
                events.append(Event(at, len(events), step, [journey]))
    events.sort(key=lambda event: (event.at, event.order))
    return events
