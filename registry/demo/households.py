"""Households of the demo city and their members, written with bulk inserts."""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from registry.demo.people import PeopleFactory, Person
from registry.models import Area, Household, HouseholdCategory, Member, Relation

HOUSEHOLDS_PER_VILLAGE = 20
BATCH_SIZE = 1000
# Household sizes 1 to 6 and their relative frequency.
SIZE_WEIGHTS = {1: 8, 2: 20, 3: 24, 4: 25, 5: 15, 6: 8}
CATEGORY_WEIGHTS = {
    HouseholdCategory.EXITED_POVERTY: 20,
    HouseholdCategory.LOW_INCOME: 15,
    HouseholdCategory.ORDINARY: 65,
}
EXIT_YEARS = range(2016, 2021)
# Share of adult members, other than the head, who do not count toward
# per-capita income, and the reason recorded for them.
NOT_COUNTED = (("服刑", 0.012), ("失踪（已宣告）", 0.004))


@dataclass
class Built:
    households: list[Household]
    members: int


def households_per_village(villages: int, scale: float) -> list[int]:
    """Spread ``20 × villages × scale`` households (at least one) over the villages."""
    total = max(1, round(HOUSEHOLDS_PER_VILLAGE * villages * scale))
    base, extra = divmod(total, villages)
    return [base + (1 if index < extra else 0) for index in range(villages)]


def create_households(
    people: PeopleFactory, villages: Sequence[Area], scale: float
) -> Built:
    """Create the households of every village, with members, in batches."""
    households: list[Household] = []
    families: list[list[tuple[Person, str, str]]] = []
    counts = households_per_village(len(villages), scale)
    for village, count in zip(villages, counts, strict=True):
        for number in range(1, count + 1):
            households.append(_household(people, village, number))
            families.append(_family(people, village.code[:6]))

    members = []
    for start in range(0, len(households), BATCH_SIZE):
        batch = households[start : start + BATCH_SIZE]
        Household.objects.bulk_create(batch)
        for household, family in zip(
            batch, families[start : start + BATCH_SIZE], strict=True
        ):
            for person, relation, reason in family:
                members.append(
                    Member(
                        household=household,
                        name=person.name,
                        id_number=person.id_number,
                        relation=relation,
                        counted=not reason,
                        not_counted_reason=reason,
                    )
                )
    Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
    return Built(households=households, members=len(members))


def _household(people: PeopleFactory, village: Area, number: int) -> Household:
    rng = people.rng
    category = rng.choices(
        list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values())
    )[0]
    group = 1 + number % 8
    return Household(
        village=village,
        category=category,
        exit_year=rng.choice(EXIT_YEARS)
        if category == HouseholdCategory.EXITED_POVERTY
        else None,
        address=f"{village.name}{group}组{number}号",
        phone=people.phone(),
        bank_account=people.bank_account(),
    )


def _family(people: PeopleFactory, prefix: str) -> list[tuple[Person, str, str]]:
    """Return (person, relation, reason not counted) for a household's members."""
    rng = people.rng
    size = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0]
    head_age = rng.randint(28, 78)
    head = people.person(prefix, head_age, male=rng.random() < 0.85)
    family = [(head, Relation.HEAD, "")]
    surname = head.surname
    if size >= 2 and rng.random() < 0.85:
        spouse_age = min(max(head_age + rng.randint(-5, 5), 22), 90)
        spouse = people.person(prefix, spouse_age, male=not head.male)
        family.append((spouse, Relation.SPOUSE, _reason(rng, spouse_age)))
        if spouse.male:
            surname = spouse.surname
    parents = [True, False] if head_age <= 62 else []
    while len(family) < size:
        if parents and rng.random() < 0.35:
            male = parents.pop(0)
            age = min(head_age + rng.randint(22, 32), 95)
            parent = people.person(prefix, age, male, surname if male else None)
            family.append((parent, Relation.PARENT, _reason(rng, age)))
            continue
        relation, age = _descendant(rng, head_age)
        child = people.person(prefix, age, rng.random() < 0.52, surname)
        family.append((child, relation, _reason(rng, age)))
    return family


def _descendant(rng: random.Random, head_age: int) -> tuple[str, int]:
    if head_age >= 58 and rng.random() < 0.4:
        return Relation.GRANDCHILD, max(head_age - rng.randint(45, 60), 0)
    age = head_age - rng.randint(22, 36)
    return Relation.CHILD, age if age >= 0 else rng.randint(0, 5)


def _reason(rng: random.Random, age: int) -> str:
    if age < 18:
        return ""
    draw = rng.random()
    for reason, share in NOT_COUNTED:
        if draw < share:
            return reason
        draw -= share
    return ""
