"""``manage.py run_duties``: run the beat schedule's tasks in this process."""

import argparse
import signal
import threading
from types import FrameType

from django.core.management.base import BaseCommand, CommandError, CommandParser

from worker.duties import DEFAULT_INTERVAL, DutyRunner, run_duties_forever


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds, not {value!r}"
        ) from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {value!r}")
    return seconds


class Command(BaseCommand):
    help = (
        "Run every task of the Celery beat schedule in this process, in place "
        "of beat: once with --once (for cron), or every --interval seconds "
        "until interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run one round and exit; the exit status is 1 if a duty failed.",
        )
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=DEFAULT_INTERVAL,
            help="Seconds between rounds when running continuously "
            f"(default {DEFAULT_INTERVAL:g}).",
        )

    def handle(self, *args: object, **options: object) -> None:
        runner = DutyRunner()
        if options["once"]:
            self._run_once(runner)
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            f"Running scheduled duties every {options['interval']:g} s; "
            "press Ctrl-C to stop."
        )
        run_duties_forever(stop, options["interval"], runner=runner)

    def _run_once(self, runner: DutyRunner) -> None:
        outcomes = runner.run_once()
        for outcome in outcomes:
            if outcome.ok:
                self.stdout.write(f"{outcome.name}: ok, returned {outcome.result!r}")
            else:
                self.stderr.write(f"{outcome.name}: failed, {outcome.error}")
        failed = [outcome.name for outcome in outcomes if not outcome.ok]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} duties failed: {', '.join(failed)}."
            )
