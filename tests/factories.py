"""factory_boy factories for the test suite.

Areas come from the project's own areas fixture (loaded by the ``areas``
fixture in conftest), so factories look villages up by name.
"""

import datetime
import itertools
from decimal import Decimal

import factory

from claims.models import Channel, Claim
from payouts.models import Fund
from registry.idnumbers import build_id_number
from registry.models import Area, Household, HouseholdCategory, Member, Relation, User

_sequence = itertools.count(1)


def new_id_number(birth_date: datetime.date = datetime.date(1975, 3, 14)) -> str:
    """Return a valid, unused ID number; the sequence field keeps them apart."""
    serial = next(_sequence)
    day = birth_date + datetime.timedelta(days=serial // 1000)
    return build_id_number("349901", day, serial % 1000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo-pass-123")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    category = HouseholdCategory.LOW_INCOME
    address = factory.Sequence(lambda n: f"{n}号")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"成员{n}")
    id_number = factory.LazyFunction(new_id_number)
    relation = Relation.HEAD


def make_household(
    village: Area, head_name: str = "张建国", members: int = 3
) -> Household:
    household = HouseholdFactory(village=village)
    MemberFactory(household=household, name=head_name, relation=Relation.HEAD)
    for index in range(members - 1):
        relation = Relation.SPOUSE if index == 0 else Relation.CHILD
        MemberFactory(household=household, relation=relation)
    return household


def make_claim(
    household: Household,
    clerk: User,
    *,
    cause: str = "illness",
    amount: Decimal = Decimal("18000.00"),
    year: int | None = None,
) -> Claim:
    """Register an application through the service, as a village clerk would."""
    from claims.services import register_application

    claim = register_application(
        user=clerk, household=household, cause=cause, amount_claimed=amount
    )
    if year is not None:
        Claim.objects.filter(pk=claim.pk).update(policy_year=year)
        claim.refresh_from_db()
    assert claim.channel == Channel.APPLICATION
    return claim


def make_fund(year: int, total: Decimal = Decimal("4500000.00")) -> Fund:
    return Fund.objects.get_or_create(
        year=year, defaults={"name": f"{year}年防贫基金", "total": total}
    )[0]
