"""Who may move a claim: a role, and an area that contains the claim's village.

Each function takes ``(claim, user)`` as django-fsm's ``permission`` callables
do. The insurer's roles work across the whole program; an inspector acts only
on the claims whose visit is assigned to them.
"""

from registry.models import Role, User


def _in_area(claim, user: User, *roles: str) -> bool:
    if not user.is_authenticated or not user.has_role(*roles):
        return False
    return user.can_see_area(claim.household.village)


def village_clerk(claim, user: User) -> bool:
    return _in_area(claim, user, Role.VILLAGE_CLERK)


def town_reviewer(claim, user: User) -> bool:
    return _in_area(claim, user, Role.TOWN_REVIEWER)


def poverty_office(claim, user: User) -> bool:
    return _in_area(claim, user, Role.POVERTY_OFFICE)


def insurer_coordinator(claim, user: User) -> bool:
    return _in_area(claim, user, Role.INSURER_COORDINATOR)


def assigned_inspector(claim, user: User) -> bool:
    if not _in_area(claim, user, Role.INSPECTOR):
        return False
    visit = claim.current_visit
    return visit is not None and visit.inspector_id == user.pk


def village_or_poverty_office(claim, user: User) -> bool:
    return village_clerk(claim, user) or poverty_office(claim, user)


def any_reviewer(claim, user: User) -> bool:
    """Village clerk, town reviewer or poverty office of the claim's area."""
    return _in_area(
        claim, user, Role.VILLAGE_CLERK, Role.TOWN_REVIEWER, Role.POVERTY_OFFICE
    )
