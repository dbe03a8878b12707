"""Fixtures for the tests of how the service starts and runs its tasks."""

import contextlib
import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from claims.models import Claim, PublicNotice, Status
from claims.notices import BEIJING, current_entry
from tests.journey import claim_at

BASE_DIR = Path(__file__).resolve().parents[2]
# The Redis database the broker tests use when CELERY_BROKER_URL is not set.
LOCAL_BROKER_URL = "redis://127.0.0.1:6379/12"
# Upper bound for a process to start or a task to finish; tests poll until then.
WAIT_SECONDS = 90


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or LOCAL_BROKER_URL


def real_worker_skip_reason() -> str | None:
    """Return why the real-worker tests cannot run here, or None when they can.

    Under CI (``CI`` set) nothing is skipped, so a missing server fails loudly.
    """
    from django.conf import settings

    if os.environ.get("CI"):
        return None
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return (
            "a worker thread and the test both write, and SQLite locks whole "
            "tables; CI runs these on PostgreSQL"
        )
    import redis

    try:
        redis.Redis.from_url(broker_url(), socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        return f"no Redis broker at {broker_url()} ({error}); CI starts one"
    return None


def make_notice_due(notice: PublicNotice) -> PublicNotice:
    """Move a notice's period into the past, so that it is due to close now."""
    length = notice.ends_on - notice.starts_on
    today = timezone.localdate()
    ends_on = today - datetime.timedelta(days=1)
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=ends_on - length,
        ends_on=ends_on,
        closes_at=datetime.datetime.combine(today, datetime.time.min, tzinfo=BEIJING),
    )
    notice.refresh_from_db()
    return notice


@pytest.fixture
def due_claim(staff, household, policy, fund) -> Claim:
    """A claim on a notice whose period has ended but which is still open."""
    claim = claim_at(Status.ON_NOTICE, household, staff)
    make_notice_due(current_entry(claim).notice)
    return claim


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Poll ``condition`` every 0.2 s; return whether it held within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def http_status(url: str) -> int | None:
    """Return the status of a GET on ``url``, or None when no server responds."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def embedded_environment(var_dir: Path) -> dict[str, str]:
    """Return the environment of ``make run``: SQLite in ``var_dir``, no broker."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY"}
    }
    env.update(DJANGO_ENV="local", RELIEF_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="module")
def migrated_var_dir(tmp_path_factory) -> Path:
    """A var directory with a migrated SQLite database, as ``make run`` makes."""
    var_dir = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=embedded_environment(var_dir),
        check=True,
        timeout=300,
    )
    return var_dir


def start_process(command: list[str], env: dict[str, str], log: Path):
    """Start ``command`` in a session of its own, its output going to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_process_group(process: subprocess.Popen) -> None:
    """Kill what is left of a process started by ``start_process``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(WAIT_SECONDS)
