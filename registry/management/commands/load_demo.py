"""``manage.py load_demo``: build the demo data unless it is already loaded."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from claims.models import Claim, Status
from payouts.models import Fund
from registry.demo import DemoSummary, load_demo
from registry.demo.loader import SEED
from registry.demo.staff import PASSWORD, login_rows


class Command(BaseCommand):
    help = (
        "Load the demo city (3 counties, 30 towns, 300 villages), its households, "
        "staff, this year's fund and claims in every status. A database that "
        "already holds the demo is left unchanged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=(
                "Fraction of the reference program year to build, above 0 and at "
                "most 1 (default 1.0: 6,000 households and 1,200 claims)."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=SEED,
            help=f"Seed of the random data (default {SEED}).",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing, not even the logins."
        )

    def handle(self, *args, scale: float, seed: int, quiet: bool, **options) -> None:
        started = time.monotonic()
        try:
            summary = load_demo(
                scale=scale, seed=seed, output=None if quiet else self.stdout.write
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if quiet:
            return
        if summary is None:
            self.stdout.write("The demo data is already loaded; nothing was created.")
        else:
            self._report(summary, time.monotonic() - started)
        self._logins()

    def _report(self, summary: DemoSummary, seconds: float) -> None:
        write = self.stdout.write
        write(
            f"Loaded in {seconds:.0f} s: {summary.households} households, "
            f"{summary.members} members, {summary.users} users, "
            f"{summary.claims} claims."
        )
        counts = dict(Claim.objects.values_list("status").annotate(count=Count("id")))
        for status in Status:
            write(f"  {status.value:<18} {counts.get(status.value, 0):>5}")
        fund = Fund.objects.filter(year=timezone.localdate().year).first()
        if fund is not None:
            write(
                f"Fund {fund.name}: total {fund.total}, reserved {fund.reserved}, "
                f"disbursed {fund.disbursed}, remaining {fund.remaining}."
            )

    def _logins(self) -> None:
        rows = login_rows()
        if not rows:
            return
        write = self.stdout.write
        width = max(len(username) for username, _, _ in rows)
        write("")
        write(f"Demo logins, all with the password {PASSWORD}:")
        write(f"  {'username':<{width}}  {'role':<20} area")
        for username, role, area in rows:
            write(f"  {username:<{width}}  {role:<20} {area}")
        write(
            "  Every town has town-<pinyin of its name> (town-dongle), every "
            "county office-<pinyin>, every other village clerk-<village code> "
            "(clerk-349901100203), and inspectors run from inspector01 to "
            "inspector28."
        )
