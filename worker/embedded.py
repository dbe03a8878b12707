"""Serve the service and run its scheduled duties in one process (``make run``).

This is the embedded mode: with no ``CELERY_BROKER_URL`` every task runs in the
process that queues it, so nothing but this program has to run. Gunicorn
serves the site with one worker process and a pool of threads. The scheduled
duties run in a thread of that same worker process, so the service has one
process that writes to SQLite, and Gunicorn's master restarts the worker with
its duty thread should the worker die. Django's ``runserver`` is not used
because Django documents it as unfit for anything but development. Static
files are served as ``runserver`` serves them, unless WhiteNoise is in the
middleware (the production settings).

Run it as ``python -m worker.embedded [--host H] [--port P]`` after
``manage.py migrate``. Ctrl-C (SIGINT) or SIGTERM stops it.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from gunicorn.app.base import BaseApplication

from worker.duties import DEFAULT_INTERVAL, DutyThread

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief.settings")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m worker.embedded",
        description="Serve the relief claims service with its scheduled duties "
        "in one process.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address to bind.")
    parser.add_argument("--port", type=int, default=8000, help="Port to bind.")
    parser.add_argument(
        "--threads",
        type=int,
        default=8,
        help="Threads serving requests (default 8).",
    )
    parser.add_argument(
        "--duty-interval",
        type=float,
        default=DEFAULT_INTERVAL,
        help="Seconds between rounds of scheduled duties "
        f"(default {DEFAULT_INTERVAL:g}).",
    )
    parser.add_argument(
        "--no-duties",
        action="store_true",
        help="Do not run the scheduled duties in this process.",
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, not {args.threads}")
    if not args.duty_interval > 0:
        parser.error(f"--duty-interval must be more than 0, not {args.duty_interval}")
    return args


class EmbeddedServer(BaseApplication):
    """Gunicorn with the Django application and, in its worker, the duties."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.duties: DutyThread | None = None
        super().__init__(prog="python -m worker.embedded")

    def load_config(self) -> None:
        settings: dict[str, Any] = {
            "bind": [f"{self.args.host}:{self.args.port}"],
            # One worker process, so one process writes to SQLite and one duty
            # thread runs.
            "workers": 1,
            "worker_class": "gthread",
            "threads": self.args.threads,
            "accesslog": "-",
            # Gunicorn's control socket defaults to one path per user, which a
            # second server (a test, ``make stack``) would take over.
            "control_socket_disable": True,
            "errorlog": "-",
            "when_ready": self.announce,
            "post_worker_init": self.start_duties,
            "worker_exit": self.stop_duties,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        from django.conf import settings
        from django.contrib.staticfiles.handlers import StaticFilesHandler

        from relief.wsgi import application

        if "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE:
            return application
        return StaticFilesHandler(application)

    def announce(self, server: Any) -> None:
        url = f"http://{self.args.host}:{self.args.port}/"
        if self.args.no_duties:
            duties = "Scheduled duties are off (--no-duties)."
        else:
            duties = (
                "Scheduled duties run in this process every "
                f"{self.args.duty_interval:g} s."
            )
        lines = [
            "",
            f"The relief claims service is running at {url}",
            f"Sign in at {url}login/ with a demo login that `manage.py load_demo` "
            "printed above, or a user made by `manage.py createsuperuser`.",
            duties,
            "Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)

    def start_duties(self, worker: Any) -> None:
        if self.args.no_duties:
            return
        self.duties = DutyThread(self.args.duty_interval)
        self.duties.start()

    def stop_duties(self, server: Any, worker: Any) -> None:
        if self.duties is not None and not self.duties.stop(timeout=10):
            worker.log.warning("scheduled duties still running at exit")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    EmbeddedServer(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
