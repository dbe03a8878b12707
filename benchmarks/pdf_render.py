"""Measure PDF rendering: payout certificates and a public notice.

Every figure is a ratio to a baseline measured in the same run: a one-line,
Latin-only page rendered through the same ``relief.pdf.html_to_pdf`` call, so
results from machines of different speed can be compared. The run also reports
which font subsetter WeasyPrint used, by counting calls to its two subsetting
methods (``Font._harfbuzz_subset`` and ``Font._fonttools_subset`` in
WeasyPrint 70, not public API).

The data are made in a temporary SQLite database and media folder, removed at
the end, and the claims go through the services as each role would. Run from
the repository root (see benchmarks/README.md):

    .venv/bin/python benchmarks/pdf_render.py --certificates 20
"""

import argparse
import contextlib
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
VILLAGE_CODE = "349901100201"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ["建国", "秀英", "志强", "桂兰", "海燕", "国华", "玉梅", "春生", "德明"]
BASELINE_HTML = (
    '<!doctype html><html lang="en"><body><p>Relief fund baseline page.</p>'
    "</body></html>"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--certificates",
        type=int,
        default=20,
        help="number of paid claims whose certificate is rendered (default 20); "
        "one notice lists all of them",
    )
    parser.add_argument(
        "--baseline-renders",
        type=int,
        default=20,
        help="renders of the baseline page (default 20)",
    )
    parser.add_argument(
        "--fonttools",
        type=int,
        default=1,
        help="certificates rendered again with WeasyPrint's fontTools fallback "
        "forced, each taking seconds (default 1, 0 to skip)",
    )
    args = parser.parse_args()
    if args.certificates < 1 or args.baseline_renders < 1 or args.fonttools < 0:
        parser.error("--certificates and --baseline-renders must be at least 1")
    return args


def set_up_django(folder: Path) -> None:
    """Point the settings at a new SQLite database in ``folder`` and migrate."""
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["RELIEF_VAR_DIR"] = str(folder)
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "relief.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPOSITORY))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_staff():
    """Create one user per role for the village's town and county."""
    from registry.models import Area, Role, User

    village = Area.objects.get(code=VILLAGE_CODE)
    roles = {
        "village_clerk": (Role.VILLAGE_CLERK, village),
        "town_reviewer": (Role.TOWN_REVIEWER, village.parent),
        "poverty_office": (Role.POVERTY_OFFICE, village.parent.parent),
        "coordinator": (Role.INSURER_COORDINATOR, None),
        "inspector": (Role.INSPECTOR, None),
    }
    return argparse.Namespace(
        village=village,
        **{
            name: User.objects.create(username=name, role=role, area=area)
            for name, (role, area) in roles.items()
        },
    )


def make_household(village, index: int):
    """Create a household of three with a distinct head's name and ID numbers."""
    import datetime

    from registry.idnumbers import build_id_number
    from registry.models import Household, HouseholdCategory, Member, Relation

    household = Household.objects.create(
        village=village, category=HouseholdCategory.LOW_INCOME
    )
    surname = SURNAMES[index % len(SURNAMES)]
    head_name = surname + GIVEN_NAMES[index % len(GIVEN_NAMES)]
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=index)
    for sequence, (name, relation) in enumerate(
        [
            (head_name, Relation.HEAD),
            (surname + "小梅", Relation.SPOUSE),
            (surname + "小宇", Relation.CHILD),
        ]
    ):
        Member.objects.create(
            household=household,
            name=name,
            relation=relation,
            id_number=build_id_number("349901", born, 2 * sequence + 1),
        )
    return household


def deliberated_claim(household, staff) -> int:
    """Take an 18,000-yuan illness application to deliberated; return its id."""
    from django.utils import timezone

    from claims import services
    from verification import services as verification
    from verification.services import IncomeLine

    today = timezone.localdate()
    claim = services.register_application(
        user=staff.village_clerk,
        household=household,
        cause="illness",
        amount_claimed="18000.00",
    )
    for user, step in [
        (staff.village_clerk, "review_in_village"),
        (staff.town_reviewer, "review_in_town"),
        (staff.poverty_office, "refer"),
    ]:
        services.take_step(user=user, claim_id=claim.pk, step=step)
    verification.schedule_visit(
        user=staff.coordinator,
        claim_id=claim.pk,
        inspector=staff.inspector,
        planned_on=today,
    )
    verification.record_verification(
        user=staff.inspector,
        claim_id=claim.pk,
        visited_on=today,
        members_present=list(household.members.values_list("pk", flat=True)),
        income=[IncomeLine("wage", "30000.00"), IncomeLine("transfer", "1200.00")],
        production_costs="2000.00",
        rigid_expenditure="18000.00",
        verified_amount="18000.00",
        stable_income=True,
    )
    services.record_deliberation(
        user=staff.village_clerk,
        claim_id=claim.pk,
        held_on=today,
        members_total=9,
        members_present=7,
        members_agreeing=6,
        attendees="村委会成员七人",
        minutes="同意",
    )
    return claim.pk


def make_paid_claims(count: int):
    """Pay ``count`` claims listed on one notice; return their certificates
    and the notice. Paying renders and stores each certificate once."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from claims import notices
    from payouts import services as payouts
    from payouts.models import Certificate, Fund
    from registry.areas import load_areas

    load_areas()
    staff = make_staff()
    year = timezone.localdate().year
    Fund.objects.create(
        year=year, name=f"{year}年防贫基金", total=Decimal("4500000.00")
    )
    claim_ids = [
        deliberated_claim(make_household(staff.village, index), staff)
        for index in range(count)
    ]
    notice = notices.open_notice(user=staff.poverty_office, claim_ids=claim_ids)
    notices.close_due_notices(now=notice.closes_at + datetime.timedelta(minutes=1))
    for claim_id in claim_ids:
        payouts.approve_claim(user=staff.poverty_office, claim_id=claim_id)
        payouts.mark_paid(
            user=staff.coordinator, claim_id=claim_id, bank_reference="B1"
        )
    certificates = Certificate.objects.filter(payment__claim_id__in=claim_ids)
    return list(certificates.order_by("pk")), notice


class SubsetCounter:
    """Counts and times WeasyPrint's font subsetting while it is active."""

    def __init__(self) -> None:
        self.calls = {"harfbuzz": 0, "fonttools": 0}
        self.seconds = 0.0

    @contextlib.contextmanager
    def active(self) -> Iterator["SubsetCounter"]:
        from weasyprint.pdf.fonts import Font

        originals = {
            "subset": Font.subset,
            "harfbuzz": Font._harfbuzz_subset,
            "fonttools": Font._fonttools_subset,
        }

        def timed_subset(font, *args, **kwargs):
            started = time.perf_counter()
            try:
                return originals["subset"](font, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        def counted(kind: str) -> Callable:
            def call(font, *args, **kwargs):
                self.calls[kind] += 1
                return originals[kind](font, *args, **kwargs)

            return call

        Font.subset = timed_subset
        Font._harfbuzz_subset = counted("harfbuzz")
        Font._fonttools_subset = counted("fonttools")
        try:
            yield self
        finally:
            Font.subset = originals["subset"]
            Font._harfbuzz_subset = originals["harfbuzz"]
            Font._fonttools_subset = originals["fonttools"]


@contextlib.contextmanager
def fonttools_fallback() -> Iterator[None]:
    """Make WeasyPrint 70 behave as if libharfbuzz-subset were missing."""
    import weasyprint.pdf.fonts as fonts

    saved = fonts.harfbuzz_subset
    fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        fonts.harfbuzz_subset = saved


@dataclasses.dataclass
class Timing:
    """Wall-clock and process CPU seconds of one call. CPU time is less
    disturbed than wall time when other processes share the cores."""

    wall: float
    cpu: float


def timed(function: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
    )


def ratio(timing: Timing, base: Timing) -> str:
    return f"{timing.wall / base.wall:6.1f}x wall {timing.cpu / base.cpu:6.1f}x CPU"


def harfbuzz_version() -> str:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("const char *hb_version_string(void);")
    try:
        library = ffi.dlopen("libharfbuzz.so.0")
    except OSError:
        return "unknown"
    return ffi.string(library.hb_version_string()).decode()


def measure(args: argparse.Namespace) -> dict:
    from claims.notice_pdf import render_notice_pdf
    from payouts.certificates import render_certificate_pdf
    from relief.pdf import html_to_pdf

    started = time.perf_counter()
    certificates, notice = make_paid_claims(args.certificates)
    setup_seconds = time.perf_counter() - started

    # Warm-up: the first render loads fonts and fontconfig's cache.
    html_to_pdf(BASELINE_HTML)
    render_certificate_pdf(certificates[0])

    baseline = [
        timed(lambda: html_to_pdf(BASELINE_HTML)) for _ in range(args.baseline_renders)
    ]
    counter = SubsetCounter()
    with counter.active():
        rendered = [
            timed(lambda c=certificate: render_certificate_pdf(c))
            for certificate in certificates
        ]
    notice_timing = timed(lambda: render_notice_pdf(notice))
    with fonttools_fallback():
        fallback = [
            timed(lambda c=certificate: render_certificate_pdf(c))
            for certificate in certificates[: args.fonttools]
        ]
    return {
        "setup_seconds": setup_seconds,
        "baseline": baseline,
        "certificates": rendered,
        "subsetting": counter,
        "notice": notice_timing,
        "fallback": fallback,
    }


def print_report(results: dict) -> None:
    import weasyprint

    from relief.pdf import harfbuzz_subsetter_available

    base = median(results["baseline"])
    certificates = results["certificates"]
    certificate = median(certificates)
    counter = results["subsetting"]
    count = len(certificates)
    print(
        f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"HarfBuzz {harfbuzz_version()}, {os.cpu_count()} CPUs"
    )
    print(
        f"set-up of {count} paid claims (not measured): "
        f"{results['setup_seconds']:.1f} s"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load}")
    print(f"HarfBuzz subsetter available: {harfbuzz_subsetter_available()}")
    print(
        "subsetting calls while rendering the certificates: "
        f"HarfBuzz {counter.calls['harfbuzz']}, fontTools {counter.calls['fonttools']}"
    )
    print(
        f"baseline, Latin-only page, median of {len(results['baseline'])}: "
        f"{base.wall * 1000:.1f} ms wall, {base.cpu * 1000:.1f} ms CPU = 1.0"
    )
    print(f"certificate, median of {count}:  {ratio(certificate, base)}")
    slowest = max(certificates, key=lambda t: t.wall)
    print(f"certificate, slowest:       {ratio(slowest, base)}")
    print(f"notice listing {count} claims: {ratio(results['notice'], base)}")
    share = counter.seconds / sum(t.wall for t in certificates)
    print(f"share of certificate wall time in font subsetting: {share:.0%}")
    if results["fallback"]:
        slow = median(results["fallback"])
        print(
            f"certificate with the fontTools fallback, median of "
            f"{len(results['fallback'])}: {ratio(slow, base)}, "
            f"{slow.cpu / certificate.cpu:.0f}x the HarfBuzz certificate's CPU time"
        )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="pdf-benchmark-") as folder:
        set_up_django(Path(folder))
        print_report(measure(args))


if __name__ == "__main__":
    main()
