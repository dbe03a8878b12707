"""Invented people for the demo: names, birth dates, ID numbers, phones, bank cards.

Names come from Faker's zh_CN locale. ID numbers are valid GB 11643 numbers
built from the county's six-digit code, the birth date and a sequence number
that is odd for men and even for women.
"""

import datetime
import random
from dataclasses import dataclass

from faker import Faker

from registry.idnumbers import build_id_number


@dataclass(frozen=True)
class Person:
    name: str
    surname: str
    male: bool
    birth_date: datetime.date
    id_number: str


class PeopleFactory:
    """Draws people from one seeded random generator, never repeating an ID."""

    def __init__(self, rng: random.Random, seed: int, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.used_ids: set[str] = set()

    def person(
        self,
        county_prefix: str,
        age: int,
        male: bool,
        surname: str | None = None,
    ) -> Person:
        surname = surname or self.faker.last_name()
        given = self.faker.first_name_male() if male else self.faker.first_name_female()
        birth_date = self.birth_date(age)
        return Person(
            name=surname + given,
            surname=surname,
            male=male,
            birth_date=birth_date,
            id_number=self.id_number(county_prefix, birth_date, male),
        )

    def birth_date(self, age: int) -> datetime.date:
        """Return a birth date that makes the person ``age`` years old today."""
        try:
            latest = self.today.replace(year=self.today.year - age)
        except ValueError:  # 29 February, in a year that has none
            latest = self.today.replace(year=self.today.year - age, day=28)
        return latest - datetime.timedelta(days=self.rng.randrange(365))

    def id_number(
        self, county_prefix: str, birth_date: datetime.date, male: bool
    ) -> str:
        while True:
            sequence = self.rng.randrange(1000)
            if (sequence % 2 == 1) != male:
                sequence = (sequence + 1) % 1000
            number = build_id_number(county_prefix, birth_date, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def full_name(self) -> str:
        return self.faker.name()

    def phone(self) -> str:
        return self.faker.phone_number()

    def bank_account(self) -> str:
        """Return a 19-digit debit card number with a valid Luhn check digit."""
        body = "621799" + "".join(str(self.rng.randrange(10)) for _ in range(12))
        return body + _luhn_digit(body)


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)
