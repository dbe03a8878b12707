"""Loading the area hierarchy from CSV: repeat loads create nothing, and a bad
row names its line, field and value and stores nothing."""

import csv

import pytest

from registry.areas import AREAS_CSV, load_areas
from registry.models import Area, AreaLevel
from relief.errors import ServiceError

pytestmark = pytest.mark.django_db

HEADER = "code,level,name,parent\n"
GOOD = (
    "349900000000,city,示范市,\n"
    "349901000000,county,东川县,349900000000\n"
    "349901100000,town,东乐镇,349901000000\n"
)


def write(tmp_path, rows: str):
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def rows_in_fixture() -> int:
    with AREAS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_fixture_loaded_once():
    assert load_areas() == rows_in_fixture()
    assert Area.objects.count() == rows_in_fixture()


def test_second_load_creates_nothing():
    load_areas()

    assert load_areas() == 0
    assert Area.objects.count() == rows_in_fixture()


def test_hierarchy_linked():
    load_areas()
    village = Area.objects.get(code="349901100201")

    assert village.level == AreaLevel.VILLAGE
    assert village.parent.code == "349901100000"
    assert village.full_name() == "示范市东川县东乐镇兴岭村"


def test_load_adds_only_new(tmp_path):
    load_areas(write(tmp_path, GOOD))

    created = load_areas(
        write(tmp_path, GOOD + "349901100201,village,兴岭村,349901100000\n")
    )

    assert created == 1
    assert Area.objects.count() == 4


BAD_ROWS = [
    # row at line 5, field, value
    ("34990110020,village,短码村,349901100000", "code", "34990110020"),
    ("34990110020X,village,字母村,349901100000", "code", "34990110020X"),
    ("349901100201,hamlet,兴岭村,349901100000", "level", "hamlet"),
    ("349901100201,village,兴岭村,349901200000", "parent", "349901200000"),
    # A village directly under a county skips the town.
    ("349901100201,village,兴岭村,349901000000", "parent", "349901000000"),
    ("349901100201,village,,349901100000", "name", ""),
    ("349901100201,village,兴岭村,", "parent", ""),
    ("349901100201,village,兴岭村", "parent", ""),
    # Scope checks compare prefixes: this village would escape its town.
    ("349902100201,village,错位村,349901100000", "code", "349902100201"),
]


@pytest.mark.parametrize(("row", "field", "value"), BAD_ROWS)
def test_bad_row_stores_nothing(tmp_path, row, field, value):
    path = write(tmp_path, GOOD + row + "\n")

    with pytest.raises(ServiceError) as raised:
        load_areas(path)

    assert raised.value.code == "invalid_area_row"
    assert raised.value.field == field
    assert raised.value.value == value
    assert "line 5" in raised.value.message
    assert field in raised.value.message
    assert value in raised.value.message
    assert Area.objects.count() == 0


def test_bad_row_after_load_adds_nothing(tmp_path):
    load_areas(write(tmp_path, GOOD))
    rows = "349901100201,village,兴岭村,349901100000\n349901100202,village,坏村,1\n"

    with pytest.raises(ServiceError):
        load_areas(write(tmp_path, GOOD + rows))

    assert Area.objects.count() == 3
