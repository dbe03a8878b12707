"""``make stack``: gunicorn, a Celery worker and beat under one supervisor."""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests.worker.conftest import (
    BASE_DIR,
    WAIT_SECONDS,
    broker_url,
    free_port,
    http_status,
    kill_process_group,
    start_process,
    wait_until,
)
from worker.stack import StackError, prepare_environment


def stack_broker_url() -> str:
    """Return the broker URL with Redis database 13, which no other test uses,
    so that the stack's worker takes no task that another test run sent."""
    return urlparse(broker_url())._replace(path="/13").geturl()


def stack_environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_ENV", "DJANGO_SECRET_KEY", "DJANGO_SECURE_COOKIES"}
    }
    env.update(RELIEF_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **overrides)
    return env


def run_stack(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "worker.stack", "--port", str(free_port())],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )


def test_prepare_environment_generates_key():
    environ = {}

    notes = prepare_environment(environ)

    assert environ["DJANGO_ENV"] == "production"
    assert len(environ["DJANGO_SECRET_KEY"]) >= 50
    assert any("random key is used for this run only" in note for note in notes)


def test_prepare_environment_keeps_given_key():
    environ = {"DJANGO_SECRET_KEY": "given", "DJANGO_SECURE_COOKIES": "true"}

    notes = prepare_environment(environ)

    assert environ["DJANGO_SECRET_KEY"] == "given"
    assert environ["DJANGO_SECURE_COOKIES"] == "true"
    assert notes == []


def test_prepare_environment_rejects_local():
    with pytest.raises(StackError, match="DJANGO_ENV is 'local'"):
        prepare_environment({"DJANGO_ENV": "local"})


def test_stack_rejects_sqlite(tmp_path):
    env = stack_environment(tmp_path, CELERY_BROKER_URL=broker_url())
    env.pop("DATABASE_URL", None)

    result = run_stack(env)

    assert result.returncode == 1
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr


def test_stack_rejects_missing_broker(tmp_path):
    env = stack_environment(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/relief"
    )
    env.pop("CELERY_BROKER_URL", None)

    result = run_stack(env)

    assert result.returncode == 1
    assert "CELERY_BROKER_URL is missing" in result.stderr


def test_stack_rejects_unreachable_broker(tmp_path):
    closed_port = free_port()
    env = stack_environment(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/relief",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port}/0",
    )

    result = run_stack(env)

    assert result.returncode == 1
    assert f"127.0.0.1:{closed_port}/0 is not reachable" in result.stderr


@pytest.fixture
def running_stack(transactional_db, tmp_path):
    """The stack against the test database; yields (process, log, base URL)."""
    if connection.vendor != "postgresql":
        pytest.skip("the stack runs on PostgreSQL only: set DATABASE_URL")
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    if database["PASSWORD"]:
        url = url.replace("@", f":{database['PASSWORD']}@", 1)
    env = stack_environment(
        tmp_path, DATABASE_URL=url, CELERY_BROKER_URL=stack_broker_url()
    )
    port = free_port()
    log = tmp_path / "stack.log"
    command = [sys.executable, "-m", "worker.stack", "--port", str(port)]
    command += ["--web-workers", "1"]
    stack = start_process(command, env, log)
    try:
        yield stack, log, f"http://127.0.0.1:{port}"
    finally:
        kill_process_group(stack)


def child_pids(log: Path) -> dict[str, int]:
    found = re.findall(r"started (\w+) \(pid (\d+)\)", log.read_text())
    return {name: int(pid) for name, pid in found}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def answers_ping(node: str) -> bool:
    """Run the health check that docker-compose.yml runs for a Celery node."""
    command = [sys.executable, "-m", "celery", "-A", "relief", "inspect", "ping"]
    result = subprocess.run(  # noqa: S603
        [*command, "-d", node, "--timeout", "5"],
        cwd=BASE_DIR,
        env={**os.environ, "CELERY_BROKER_URL": stack_broker_url()},
        capture_output=True,
        timeout=WAIT_SECONDS,
    )
    return result.returncode == 0


@pytest.mark.postgres
@pytest.mark.broker
def test_stack_runs_and_stops_on_sigterm(running_stack):
    stack, log, base = running_stack
    host = socket.gethostname()

    answered = wait_until(lambda: http_status(f"{base}/admin/login/") == 200)
    worker_ready = wait_until(lambda: answers_ping(f"worker@{host}"))
    beat_ready = wait_until(lambda: answers_ping(f"beat@{host}"))
    pids = child_pids(log)
    stack.send_signal(signal.SIGTERM)
    status = stack.wait(WAIT_SECONDS)
    output = log.read_text()

    assert answered, output
    assert worker_ready
    assert beat_ready
    assert sorted(pids) == ["beat", "web", "worker"]
    assert status == 0
    assert [name for name, pid in pids.items() if alive(pid)] == []
    assert "a random key is used for this run only" in output
    assert f"Sign in at {base}/login/" in output


@pytest.mark.postgres
@pytest.mark.broker
def test_stack_stops_all_when_one_dies(running_stack):
    stack, log, base = running_stack

    started = wait_until(lambda: len(child_pids(log)) == 3)
    answered = wait_until(lambda: http_status(f"{base}/admin/login/") == 200)
    pids = child_pids(log)
    os.kill(pids["beat"], signal.SIGKILL)
    status = stack.wait(WAIT_SECONDS)
    output = log.read_text()

    assert started, output
    assert answered, output
    assert status == 1
    assert f"beat (pid {pids['beat']}) was killed by SIGKILL" in output
    assert [name for name, pid in pids.items() if alive(pid)] == []
