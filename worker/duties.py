"""Scheduled duties run in this process, for deployments without Celery beat.

A round calls every task named in the Celery beat schedule once, here and
synchronously, whether or not a broker is configured. A failing duty is logged
and the round goes on with the next one. The duties select their work from the
database each time, so running them more often than beat would is harmless.

The embedded server runs rounds in a background thread (``DutyThread``), and
``manage.py run_duties`` runs them from a shell or cron.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60.0


@dataclass(frozen=True)
class DutyOutcome:
    """The result of one duty in one round."""

    name: str
    task: str
    result: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class DutyRunner:
    """Runs the tasks of a Celery app's beat schedule in this process.

    It counts each duty's consecutive failures, so a duty that keeps failing
    logs its traceback once and then one line per round.
    """

    def __init__(self, app: Celery | None = None) -> None:
        if app is None:
            from worker.celery import app
        self.app = app
        self.failures: dict[str, int] = {}
        self._tasks_imported = False

    def schedule(self) -> dict[str, dict[str, Any]]:
        return dict(self.app.conf.beat_schedule or {})

    def run_once(self) -> list[DutyOutcome]:
        """Run every scheduled duty once, in schedule order."""
        if not self._tasks_imported:
            # Imports the tasks module of every installed Django app, which a
            # web process may not have imported yet. The loader's
            # import_default_modules() would also do it, but it runs
            # django.setup() again, which reconfigures logging.
            self.app.autodiscover_tasks(force=True)
            self._tasks_imported = True
        return [self._run_duty(name, entry) for name, entry in self.schedule().items()]

    def _run_duty(self, name: str, entry: dict[str, Any]) -> DutyOutcome:
        task_name = entry.get("task", "")
        try:
            task = self.app.tasks[task_name]
            # apply() runs the task here even when a broker is configured.
            result = task.apply(
                args=entry.get("args", ()),
                kwargs=entry.get("kwargs", {}),
                throw=True,
            ).result
        except Exception as exc:
            return self._record_failure(name, task_name, exc)
        previous = self.failures.pop(name, 0)
        if previous:
            logger.info("duty %s succeeded after %d failed rounds", name, previous)
        logger.debug("duty %s (%s) returned %r", name, task_name, result)
        return DutyOutcome(name=name, task=task_name, result=result)

    def _record_failure(self, name: str, task_name: str, exc: Exception) -> DutyOutcome:
        count = self.failures.get(name, 0) + 1
        self.failures[name] = count
        if count == 1:
            logger.exception("duty %s (%s) failed", name, task_name)
        else:
            logger.error(
                "duty %s (%s) failed again, %d rounds in a row: %r",
                name,
                task_name,
                count,
                exc,
            )
        return DutyOutcome(name=name, task=task_name, error=repr(exc))


def run_duties_once(app: Celery | None = None) -> list[DutyOutcome]:
    """Run every task of the beat schedule once in this process."""
    return DutyRunner(app).run_once()


def run_duties_forever(
    stop: threading.Event,
    interval: float = DEFAULT_INTERVAL,
    *,
    runner: DutyRunner | None = None,
    on_round: Callable[[list[DutyOutcome]], None] | None = None,
) -> None:
    """Run rounds of duties until ``stop`` is set, waiting ``interval`` seconds
    between the end of one round and the start of the next.

    The first round starts at once. An error outside a duty is logged and the
    loop goes on. Database connections are closed around each round, as Django
    does around each request, so a long-lived thread keeps none open between rounds.
    """
    if interval <= 0:
        raise ValueError(
            f"the interval must be a positive number of seconds, not {interval}"
        )
    runner = runner or DutyRunner()
    names = ", ".join(runner.schedule()) or "none"
    logger.info("scheduled duties started, every %g s: %s", interval, names)
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                outcomes = runner.run_once()
            except Exception:
                logger.exception("scheduled duties round failed")
            else:
                if on_round is not None:
                    on_round(outcomes)
            finally:
                close_old_connections()
            stop.wait(interval)
    finally:
        connections.close_all()
        logger.info("scheduled duties stopped")


class DutyThread(threading.Thread):
    """A daemon thread that runs rounds of duties until ``stop()``."""

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        runner: DutyRunner | None = None,
        on_round: Callable[[list[DutyOutcome]], None] | None = None,
    ) -> None:
        super().__init__(name="scheduled-duties", daemon=True)
        self.interval = interval
        self.runner = runner
        self.on_round = on_round
        self._stop_requested = threading.Event()

    def run(self) -> None:
        run_duties_forever(
            self._stop_requested,
            self.interval,
            runner=self.runner,
            on_round=self.on_round,
        )

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the loop to stop after the current round; return True once it has.

        A round still running after ``timeout`` seconds is left to the process
        exit, which rolls back its open transaction.
        """
        self._stop_requested.set()
        self.join(timeout)
        return not self.is_alive()
