"""Run the production topology without Docker (``make stack``).

After ``migrate`` and ``collectstatic`` this starts three processes against
``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis): gunicorn
serving ``relief.wsgi``, one Celery worker for every queue that tasks are
routed to, and one beat. It supervises them. When one exits, the others are
stopped and the stack exits with status 1. SIGINT or SIGTERM sends SIGTERM to
each process, which is a graceful stop for gunicorn and a warm shutdown for
Celery. A second signal, or a process still running after ``--grace`` seconds,
gets SIGKILL.

The processes run with ``DJANGO_ENV=production``. Without
``DJANGO_SECRET_KEY`` a random key is generated for this run only and the
output says so: a rehearsal on one machine then needs no set-up, and a key
that is never written down cannot leak, but sessions and signed links do not
survive a restart. Because gunicorn serves plain HTTP here, secure-only cookies
are turned off unless ``DJANGO_SECURE_COOKIES`` is set.
"""

import argparse
import contextlib
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from types import FrameType

from kombu import Connection
from kombu.utils.url import maybe_sanitize_url

logger = logging.getLogger("worker.stack")

BASE_DIR = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.2


class StackError(Exception):
    """A check or a set-up step failed before any process started."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m worker.stack",
        description="Run gunicorn, a Celery worker and beat, and supervise them.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address gunicorn binds.")
    parser.add_argument("--port", type=int, default=8000, help="Port gunicorn binds.")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=2,
        help="Gunicorn worker processes (default 2).",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=30.0,
        help="Seconds to wait for the processes to stop before killing them "
        "(default 30).",
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    if args.web_workers < 1:
        parser.error(f"--web-workers must be at least 1, not {args.web_workers}")
    if args.grace < 0:
        parser.error(f"--grace must not be negative, not {args.grace}")
    return args


def prepare_environment(environ: MutableMapping[str, str]) -> list[str]:
    """Set the production variables in ``environ``; return notes for the user."""
    env = environ.get("DJANGO_ENV", "production")
    if env != "production":
        raise StackError(
            f"DJANGO_ENV is {env!r}, but the stack runs the production settings; "
            "unset it or set it to 'production'."
        )
    environ["DJANGO_ENV"] = "production"
    notes = []
    if not environ.get("DJANGO_SECRET_KEY"):
        environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
        notes.append(
            "DJANGO_SECRET_KEY is not set, so a random key is used for this run "
            "only: sessions end when the stack stops. Set it to keep them."
        )
    if "DJANGO_SECURE_COOKIES" not in environ:
        environ["DJANGO_SECURE_COOKIES"] = "false"
        notes.append(
            "Cookies are not marked secure because gunicorn serves plain HTTP "
            "here; set DJANGO_SECURE_COOKIES=true behind an HTTPS proxy."
        )
    return notes


def check_settings() -> tuple[str, Path]:
    """Return the broker URL and the var directory, read through the settings,
    or raise StackError."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        engine = settings.DATABASES["default"]["ENGINE"]
    except ImproperlyConfigured as exc:
        raise StackError(f"The settings are invalid: {exc}") from exc
    if "postgresql" not in engine:
        raise StackError(
            f"DATABASE_URL must point to PostgreSQL, but the database engine is "
            f"{engine}; set DATABASE_URL=postgres://USER@HOST:PORT/NAME."
        )
    broker = settings.CELERY_BROKER_URL
    if not broker:
        raise StackError(
            "CELERY_BROKER_URL is missing; set it to a Redis URL such as "
            "redis://127.0.0.1:6379/0."
        )
    return broker, Path(settings.VAR_DIR)


def check_broker(url: str, timeout: float = 5.0) -> None:
    try:
        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        raise StackError(
            f"The broker at {maybe_sanitize_url(url)} is not reachable: {exc}"
        ) from exc


def routed_queues() -> list[str]:
    """Return the default queue and every queue named in the task routes."""
    from worker.celery import app

    queues = {app.conf.task_default_queue}
    routes = app.conf.task_routes or {}
    if isinstance(routes, dict):
        queues.update(route["queue"] for route in routes.values() if "queue" in route)
    return sorted(queues)


def process_commands(args: argparse.Namespace, var_dir: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [
            python,
            "-m",
            "gunicorn",
            "relief.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.web_workers),
            "--access-logfile",
            "-",
            "--no-control-socket",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "relief",
            "worker",
            "-Q",
            ",".join(routed_queues()),
            "-n",
            "worker@%h",
            "--loglevel",
            "INFO",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "relief",
            "beat",
            "--schedule",
            str(var_dir / "celerybeat-schedule"),
            "--enable-remote-control",
            "-n",
            "beat@%h",
            "--loglevel",
            "INFO",
        ],
    }


def run_step(command: list[str]) -> None:
    logger.info("running %s", " ".join(command[1:]))
    result = subprocess.run(command, cwd=BASE_DIR, check=False)  # noqa: S603
    if result.returncode != 0:
        raise StackError(
            f"{' '.join(command[1:])} failed with exit status {result.returncode}"
        )


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


class Supervisor:
    """Starts child processes, watches them and stops them together."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.signals: list[int] = []

    def handle_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals.append(signum)

    def start(self, name: str, command: list[str]) -> None:
        # A session of its own keeps the terminal's Ctrl-C away from the child,
        # so it receives exactly one SIGTERM, from stop_all().
        process = subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, start_new_session=True
        )
        self.children[name] = process
        logger.info("started %s (pid %d): %s", name, process.pid, " ".join(command[1:]))

    def watch(self) -> int:
        """Wait for a signal or a child's exit, stop every child, return the
        exit status: 0 after a signal, 1 after a child exited by itself."""
        while True:
            if self.signals:
                logger.info(
                    "received %s, stopping", signal.Signals(self.signals[0]).name
                )
                self.stop_all()
                return 0
            for name, process in self.children.items():
                status = process.poll()
                if status is not None:
                    logger.error(
                        "%s (pid %d) %s, stopping the others",
                        name,
                        process.pid,
                        describe_exit(status),
                    )
                    self.stop_all()
                    return 1
            time.sleep(POLL_SECONDS)

    def stop_all(self) -> None:
        handled = len(self.signals)
        for name, process in self.children.items():
            if process.poll() is None:
                logger.info("sending SIGTERM to %s (pid %d)", name, process.pid)
                process.terminate()
        deadline = time.monotonic() + self.grace
        while self._running() and time.monotonic() < deadline:
            if len(self.signals) > handled:
                logger.warning("second signal received, killing the processes")
                break
            time.sleep(POLL_SECONDS)
        for name, process in self.children.items():
            if process.poll() is None:
                logger.warning("killing %s (pid %d)", name, process.pid)
            # The process group includes gunicorn's and Celery's own workers,
            # which outlive a parent that was killed.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for name, process in self.children.items():
            logger.info("%s %s", name, describe_exit(process.returncode))

    def _running(self) -> bool:
        return any(process.poll() is None for process in self.children.values())


def announce(args: argparse.Namespace, broker: str, notes: list[str]) -> None:
    from django.conf import settings

    url = f"http://{args.host}:{args.port}/"
    database = settings.DATABASES["default"]
    lines = [
        f"The relief claims service is starting at {url}",
        f"Database: {database['NAME']} on {database.get('HOST') or 'localhost'}; "
        f"broker: {maybe_sanitize_url(broker)}.",
        f"Sign in at {url}login/ with a user of that database. The stack creates "
        "none: run `manage.py load_demo` or `manage.py createsuperuser` with the "
        "same DATABASE_URL.",
        *notes,
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s stack %(levelname)s %(message)s"
    )
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief.settings")
    supervisor = Supervisor(args.grace)
    signal.signal(signal.SIGINT, supervisor.handle_signal)
    signal.signal(signal.SIGTERM, supervisor.handle_signal)
    try:
        notes = prepare_environment(os.environ)
        broker, var_dir = check_settings()
        check_broker(broker)
        var_dir.mkdir(parents=True, exist_ok=True)
        manage = [sys.executable, "manage.py"]
        run_step([*manage, "migrate", "--no-input"])
        run_step([*manage, "collectstatic", "--no-input", "--verbosity", "0"])
    except StackError as exc:
        logger.error("%s", exc)
        return 1
    if supervisor.signals:
        logger.info("stopped before starting the processes")
        return 0
    announce(args, broker, notes)
    for name, command in process_commands(args, var_dir).items():
        supervisor.start(name, command)
    return supervisor.watch()


if __name__ == "__main__":
    sys.exit(main())
