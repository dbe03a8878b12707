"""Taking each planned step of the demo claims through the real services.

Every status change goes through ``claims.services``, ``claims.notices``,
``verification.services`` or ``payouts.services`` as the user whose role and
area allow it, so the timeline, verification records and fund ledger are the
ones the program itself would write.
"""

import itertools
import random

from django.utils import timezone

from claims import notices, services
from claims.models import Objection, ObjectionStatus
from payouts import services as payouts
from payouts.models import Policy
from registry.demo.finances import draw_vote, income_lines
from registry.demo.people import PeopleFactory
from registry.demo.plan import Event, Journey
from registry.demo.referrals import import_referrals
from registry.demo.staff import Staff
from registry.models import Member, Relation, User
from verification import services as verification
from verification.models import Visit

VEHICLES = 9
CAUSE_WORDS = {"illness": "因病", "disaster": "因灾", "schooling": "因学"}
APPLICATION_TEXT = {
    "illness": "家庭成员患病住院，医疗费用个人负担较重，申请防贫救助。",
    "disaster": "房屋及农作物因灾受损，家庭生活困难，申请防贫救助。",
    "schooling": "子女上学费用负担较重，申请防贫救助。",
}
# Reasons a clerk or reviewer types; demo data, so in Chinese like real input.
REASONS = {
    "reject_in_village": (
        "经村委会核实，家庭有稳定工资收入，明显高于防贫监测线。",
        "经村委会核实，申请人已在城镇购买商品房。",
    ),
    "reject_in_town": (
        "经乡镇审核，申请材料与实际情况不符。",
        "经乡镇审核，家庭成员经营企业，不符合申请条件。",
    ),
    "screen_out": (
        "医疗费用已由商业保险全额报销。",
        "家庭成员为财政供养人员。",
        "家庭拥有非营运小轿车。",
        "经初筛，家庭收入明显高于防贫监测线。",
    ),
    "withdraw": (
        "申请人家庭情况好转，自愿撤回申请。",
        "申请人已享受其他救助政策，自愿撤回申请。",
    ),
    "cancel_approval": ("核准后发现该户已整户迁出本市，取消核准。",),
}
OBJECTION = "反映该户有外出务工收入未如实申报。"
UPHELD = "经复核，该户确有外出务工收入未申报，退回保险公司重新核查。"
DISMISSED = "经核实，反映情况与事实不符，不予支持。"


class StepRunner:
    def __init__(
        self, staff: Staff, people: PeopleFactory, policy: Policy, year: int
    ) -> None:
        self.staff = staff
        self.people = people
        self.rng: random.Random = people.rng
        self.policy = policy
        self.year = year
        self.inspectors = itertools.cycle(staff.inspectors)
        self.vehicles = itertools.cycle(range(1, VEHICLES + 1))

    def run(self, event: Event) -> None:
        if event.step == "import":
            sender = self.staff.departments[event.journeys[0].sender]
            import_referrals(event.journeys, sender, self.year, event.at)
            return
        journey = event.journeys[0]
        getattr(self, f"_{event.step}")(journey)

    # Who acts on a claim ------------------------------------------------

    def _clerk(self, journey: Journey) -> User:
        return self.staff.clerks[journey.household.village.code]

    def _town(self, journey: Journey) -> User:
        return self.staff.town_reviewers[journey.household.village.code[:9]]

    def _office(self, journey: Journey) -> User:
        return self.staff.offices[journey.household.village.code[:6]]

    def _take(self, journey: Journey, user: User, step: str, note: str = "") -> None:
        services.take_step(user=user, claim_id=journey.claim_id, step=step, note=note)

    def _reason(self, step: str) -> str:
        return self.rng.choice(REASONS[step])

    # Before the insurer -------------------------------------------------

    def _register(self, journey: Journey) -> None:
        claim = services.register_application(
            user=self._clerk(journey),
            household=journey.household,
            cause=journey.cause,
            amount_claimed=journey.amounts.claimed,
            description=APPLICATION_TEXT[journey.cause],
        )
        journey.claim_id = claim.pk

    def _review_in_village(self, journey: Journey) -> None:
        self._take(journey, self._clerk(journey), "review_in_village")

    def _reject_in_village(self, journey: Journey) -> None:
        reason = self._reason("reject_in_village")
        self._take(journey, self._clerk(journey), "reject", reason)

    def _review_in_town(self, journey: Journey) -> None:
        self._take(journey, self._town(journey), "review_in_town")

    def _reject_in_town(self, journey: Journey) -> None:
        self._take(
            journey, self._town(journey), "reject", self._reason("reject_in_town")
        )

    def _screen_in(self, journey: Journey) -> None:
        self._take(journey, self._town(journey), "screen_in")

    def _screen_out(self, journey: Journey) -> None:
        self._take(
            journey, self._town(journey), "screen_out", self._reason("screen_out")
        )

    def _refer(self, journey: Journey) -> None:
        self._take(journey, self._office(journey), "refer")

    def _withdraw(self, journey: Journey) -> None:
        self._take(journey, self._clerk(journey), "withdraw", self._reason("withdraw"))

    # Home check ---------------------------------------------------------

    def _schedule(self, journey: Journey) -> None:
        verification.schedule_visit(
            user=self.staff.coordinator,
            claim_id=journey.claim_id,
            inspector=next(self.inspectors),
            planned_on=journey.planned_on,
            vehicle=f"核查车{next(self.vehicles):02d}",
        )

    def _verify_eligible(self, journey: Journey) -> None:
        self._verify(journey, eligible=True)

    def _verify_ineligible(self, journey: Journey) -> None:
        self._verify(journey, eligible=False)

    def _verify(self, journey: Journey, eligible: bool) -> None:
        visit = Visit.objects.filter(claim_id=journey.claim_id).latest("id")
        members = list(Member.objects.filter(household=journey.household))
        counted = [member for member in members if member.counted]
        present = [member.pk for member in counted[:3]] or [members[0].pk]
        income, costs, stable = income_lines(
            self.rng,
            self.policy.income_line,
            len(counted),
            journey.amounts.verified,
            eligible,
        )
        verification.record_verification(
            user=visit.inspector,
            claim_id=journey.claim_id,
            visited_on=timezone.localdate(),
            members_present=present,
            income=income,
            production_costs=costs,
            rigid_expenditure=journey.amounts.verified,
            verified_amount=journey.amounts.verified,
            stable_income=stable,
        )

    # Village deliberation and notice ------------------------------------

    def _deliberate(self, journey: Journey) -> None:
        self._hold_meeting(journey, majority=True)

    def _deliberate_without_majority(self, journey: Journey) -> None:
        self._hold_meeting(journey, majority=False)

    def _hold_meeting(self, journey: Journey, majority: bool) -> None:
        vote = draw_vote(self.rng, self.policy, majority)
        head = Member.objects.get(household=journey.household, relation=Relation.HEAD)
        services.record_deliberation(
            user=self._clerk(journey),
            claim_id=journey.claim_id,
            held_on=timezone.localdate(),
            members_total=vote.total,
            members_present=vote.present,
            members_agreeing=vote.agreeing,
            attendees="、".join(self.people.full_name() for _ in range(vote.present)),
            minutes=(
                f"村民代表会议评议{head.name}户{CAUSE_WORDS[journey.cause]}防贫救助申请："
                f"应到{vote.total}人，实到{vote.present}人，同意{vote.agreeing}人。"
            ),
        )

    def _open_notice(self, journey: Journey) -> None:
        notices.open_notice(user=self._clerk(journey), claim_ids=[journey.claim_id])

    def _object(self, journey: Journey) -> None:
        notices.record_objection(
            user=self._clerk(journey),
            claim_id=journey.claim_id,
            raised_on=timezone.localdate(),
            raised_by=self.people.full_name(),
            content=OBJECTION,
        )

    def _uphold(self, journey: Journey) -> None:
        self._resolve(journey, upheld=True, resolution=UPHELD)

    def _dismiss(self, journey: Journey) -> None:
        self._resolve(journey, upheld=False, resolution=DISMISSED)

    def _resolve(self, journey: Journey, upheld: bool, resolution: str) -> None:
        objection = Objection.objects.get(
            entry__claim_id=journey.claim_id, status=ObjectionStatus.PENDING
        )
        notices.resolve_objection(
            user=self._office(journey),
            objection_id=objection.pk,
            upheld=upheld,
            resolution=resolution,
        )

    def _close_notices(self, journey: Journey) -> None:
        # The scheduled duty: it closes every notice whose period has ended.
        notices.close_due_notices()

    # Approval and payment -----------------------------------------------

    def _approve(self, journey: Journey) -> None:
        payouts.approve_claim(user=self._office(journey), claim_id=journey.claim_id)

    def _cancel_approval(self, journey: Journey) -> None:
        payouts.cancel_approval(
            user=self._office(journey),
            claim_id=journey.claim_id,
            note=self._reason("cancel_approval"),
        )

    def _pay(self, journey: Journey) -> None:
        today = timezone.localdate()
        payouts.mark_paid(
            user=self.staff.coordinator,
            claim_id=journey.claim_id,
            bank_reference=f"YH{today:%Y%m%d}{journey.claim_id:07d}",
        )
