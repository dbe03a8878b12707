"""Loading the area hierarchy from a CSV file of division codes."""

import csv
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from registry.models import Area, AreaLevel
from relief.errors import ServiceError

AREAS_CSV = Path(__file__).resolve().parent / "fixtures" / "areas.csv"
PARENT_LEVEL = {
    AreaLevel.CITY: {AreaLevel.PROVINCE, None},
    AreaLevel.COUNTY: {AreaLevel.CITY},
    AreaLevel.TOWN: {AreaLevel.COUNTY},
    AreaLevel.VILLAGE: {AreaLevel.TOWN},
}


def load_areas(path: Path = AREAS_CSV) -> int:
    """Create the areas of a CSV file (code, level, name, parent) not yet stored.

    Parents must come before their children. Return how many areas were
    created; a second load of the same file creates none. Any bad row stops
    the load with an error naming the line and field, and nothing is stored.
    """
    created = 0
    with path.open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
        known = {area.code: area for area in Area.objects.all()}
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("code") or "").strip()
            level = (row.get("level") or "").strip()
            name = (row.get("name") or "").strip()
            parent_code = (row.get("parent") or "").strip()
            if not (len(code) == 12 and code.isdigit()):
                raise _row_error(path, line, "code", code)
            if level not in AreaLevel.values:
                raise _row_error(path, line, "level", level)
            if not name:
                raise _row_error(path, line, "name", name)
            parent = known.get(parent_code) if parent_code else None
            if parent_code and parent is None:
                raise _row_error(path, line, "parent", parent_code)
            # Only a province or a city may have no parent.
            parent_level = parent.level if parent is not None else None
            if parent_level not in PARENT_LEVEL.get(level, {None}):
                raise _row_error(path, line, "parent", parent_code)
            # Scope checks compare code prefixes, so a child's code must start
            # with its parent's.
            if parent is not None and not code.startswith(parent.prefix):
                raise _row_error(path, line, "code", code)
            if code in known:
                continue
            known[code] = Area.objects.create(
                code=code, level=level, name=name, parent=parent
            )
            created += 1
    return created


def _row_error(path: Path, line: int, field: str, value: str) -> ServiceError:
    return ServiceError(
        _("%(file)s line %(line)s: invalid %(field)s %(value)s")
        % {"file": path.name, "line": line, "field": field, "value": repr(value)},
        code="invalid_area_row",
        field=field,
        value=value,
    )
