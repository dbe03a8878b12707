"""Shared fixtures: the fictional city's areas, one user per role, a household,
the current year's policy and fund."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from registry.areas import load_areas
from registry.models import Area, Role, User
from relief import celery_app
from tests.factories import UserFactory, make_fund, make_household

# Village 兴岭村 of 东乐镇, 东川县; the second village belongs to another town.
VILLAGE_CODE = "349901100201"
TOWN_CODE = "349901100000"
COUNTY_CODE = "349901000000"
OTHER_VILLAGE_CODE = "349902100201"


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Run tasks in-process unless a test starts a real worker itself."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service messages in English; requests still pick their own language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The staff fixture creates nine users, and PBKDF2 is slow by design. It
    # stays second so hashes made outside this fixture still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def areas(db):
    load_areas()
    return Area.objects


@dataclass
class Staff:
    village_clerk: User
    town_reviewer: User
    poverty_office: User
    coordinator: User
    inspector: User
    auditor: User
    other_clerk: User
    other_town_reviewer: User
    other_poverty_office: User


@pytest.fixture
def staff(areas) -> Staff:
    village = Area.objects.get(code=VILLAGE_CODE)
    other_village = Area.objects.get(code=OTHER_VILLAGE_CODE)
    return Staff(
        village_clerk=UserFactory(
            username="clerk", role=Role.VILLAGE_CLERK, area=village
        ),
        town_reviewer=UserFactory(
            username="town", role=Role.TOWN_REVIEWER, area=village.parent
        ),
        poverty_office=UserFactory(
            username="office", role=Role.POVERTY_OFFICE, area=village.parent.parent
        ),
        coordinator=UserFactory(username="coordinator", role=Role.INSURER_COORDINATOR),
        inspector=UserFactory(username="inspector", role=Role.INSPECTOR),
        auditor=UserFactory(
            username="auditor", role=Role.AUDITOR, area=village.parent.parent
        ),
        other_clerk=UserFactory(
            username="other-clerk", role=Role.VILLAGE_CLERK, area=other_village
        ),
        other_town_reviewer=UserFactory(
            username="other-town", role=Role.TOWN_REVIEWER, area=other_village.parent
        ),
        other_poverty_office=UserFactory(
            username="other-office",
            role=Role.POVERTY_OFFICE,
            area=other_village.parent.parent,
        ),
    )


@pytest.fixture
def village(areas) -> Area:
    return Area.objects.get(code=VILLAGE_CODE)


@pytest.fixture
def household(village):
    return make_household(village)


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def fund(db, year):
    return make_fund(year)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def policy(db, year):
    """The current year's default policy (also created by a data migration,
    which a transactional test's flush removes)."""
    from payouts.defaults import create_default_policy
    from payouts.models import PayoutBand, PayoutScheme, Policy

    return create_default_policy(Policy, PayoutScheme, PayoutBand, year)
