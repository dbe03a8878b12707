"""Demo staff: one user per role and area, all with one simple password.

Named logins exist for a few villages and for every town and county; the
clerks of the other villages log in as ``clerk-<village code>``.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from registry.demo.people import PeopleFactory
from registry.models import Area, AreaLevel, Role, User

PASSWORD = "relief-demo"  # noqa: S105 (a published demo login)
INSPECTORS = 28
NAMED_VILLAGES = {
    "349901100201": "xingling",  # 兴岭村, 东乐镇, 东川县
    "349901100202": "nanlin",  # 南林村, the same town
    "349902100201": "xingfeng",  # 兴丰村, 西岭县
    "349903100201": "xingshan",  # 兴山村, 南湖县
}
TOWNS = {
    "349901100": "dongle",
    "349901101": "beitang",
    "349901102": "hean",
    "349901103": "yangan",
    "349901104": "meisha",
    "349901105": "baitang",
    "349901106": "baixi",
    "349901107": "shiliu",
    "349901108": "yintang",
    "349901109": "yinliu",
    "349902100": "xingpo",
    "349902101": "xingmin",
    "349902102": "hexiang",
    "349902103": "taihua",
    "349902104": "yongfeng",
    "349902105": "jintang",
    "349902106": "jinshan",
    "349902107": "yinyuan",
    "349902108": "yingang",
    "349902109": "maxi",
    "349903100": "beiling",
    "349903101": "nanpo",
    "349903102": "fuxing",
    "349903103": "xinfeng",
    "349903104": "songxing",
    "349903105": "meiliu",
    "349903106": "zhule",
    "349903107": "jinyuan",
    "349903108": "qingshan",
    "349903109": "male",
}
COUNTIES = {"349901": "dongchuan", "349902": "xiling", "349903": "nanhu"}
# Department clerks: username, department, the cause of the lists they send.
DEPARTMENTS = (
    ("medical-clerk", "医保局", "illness"),
    ("civil-clerk", "民政局", "illness"),
    ("emergency-clerk", "应急管理局", "disaster"),
    ("education-clerk", "教育局", "schooling"),
)
# A user of this name marks a database that already contains the demo.
MARKER_USERNAME = "office-city"


@dataclass
class Staff:
    clerks: dict[str, User] = field(default_factory=dict)  # by village code
    town_reviewers: dict[str, User] = field(default_factory=dict)  # by town prefix
    offices: dict[str, User] = field(default_factory=dict)  # by county prefix
    departments: dict[str, User] = field(default_factory=dict)  # by username
    inspectors: list[User] = field(default_factory=list)
    city_office: User | None = None
    coordinator: User | None = None
    auditor: User | None = None


def clerk_username(village: Area) -> str:
    name = NAMED_VILLAGES.get(village.code)
    return f"clerk-{name}" if name else f"clerk-{village.code}"


def create_staff(
    people: PeopleFactory, areas: list[Area], joined: datetime.datetime
) -> Staff:
    """Create every demo user; all share one password hash, computed once."""
    password = make_password(PASSWORD)
    staff = Staff()

    def add(username: str, role: str, area: Area | None, department: str = "") -> User:
        user = User(
            username=username,
            password=password,
            # Chinese names read surname first, so the whole name goes in
            # first_name and get_full_name() prints it unchanged.
            first_name=people.full_name(),
            role=role,
            area=area,
            department=department,
            date_joined=joined,
        )
        users.append(user)
        return user

    users: list[User] = []
    city = next(area for area in areas if area.level == AreaLevel.CITY)
    staff.city_office = add(MARKER_USERNAME, Role.POVERTY_OFFICE, city)
    for area in areas:
        if area.level == AreaLevel.COUNTY:
            username = f"office-{COUNTIES[area.prefix]}"
            staff.offices[area.prefix] = add(username, Role.POVERTY_OFFICE, area)
        elif area.level == AreaLevel.TOWN:
            username = f"town-{TOWNS[area.prefix]}"
            staff.town_reviewers[area.prefix] = add(username, Role.TOWN_REVIEWER, area)
        elif area.level == AreaLevel.VILLAGE:
            staff.clerks[area.code] = add(
                clerk_username(area), Role.VILLAGE_CLERK, area
            )
    staff.coordinator = add("coordinator", Role.INSURER_COORDINATOR, None)
    staff.inspectors = [
        add(f"inspector{number:02d}", Role.INSPECTOR, None)
        for number in range(1, INSPECTORS + 1)
    ]
    staff.auditor = add("auditor", Role.AUDITOR, city)
    for username, department, _cause in DEPARTMENTS:
        staff.departments[username] = add(
            username, Role.DEPARTMENT_CLERK, city, department
        )
    User.objects.bulk_create(users)
    return staff


# Logins printed after a load. The first town of each county is an example of
# the town logins.
PRINTED_LOGINS = (
    MARKER_USERNAME,
    *(f"office-{name}" for name in COUNTIES.values()),
    "town-dongle",
    "town-xingpo",
    "town-beiling",
    *(f"clerk-{name}" for name in NAMED_VILLAGES.values()),
    "coordinator",
    "inspector01",
    "inspector02",
    "auditor",
    *(username for username, _, _ in DEPARTMENTS),
)


def login_rows() -> list[tuple[str, str, str]]:
    """Return (username, role, area) of the demo logins worth printing."""
    users = {
        user.username: user
        for user in User.objects.select_related("area__parent__parent__parent").filter(
            username__in=PRINTED_LOGINS
        )
    }
    return [
        (username, users[username].role, _area_label(users[username]))
        for username in PRINTED_LOGINS
        if username in users
    ]


def _area_label(user: User) -> str:
    if user.area is None:
        return "—"
    return f"{user.area.full_name()} {user.area.code}"
