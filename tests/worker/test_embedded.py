"""The embedded mode: scheduled duties run in-process, and the one-process
server of ``make run``."""

import io
import logging
import signal
import sys
import threading

import pytest
from django.core.management import CommandError, call_command

from claims.models import PublicNotice, Status
from claims.notices import current_entry
from relief import celery_app
from tests.journey import state_logs
from tests.worker.conftest import (
    WAIT_SECONDS,
    embedded_environment,
    free_port,
    http_status,
    kill_process_group,
    start_process,
    wait_until,
)
from worker.duties import DutyRunner, DutyThread, run_duties_once
from worker.embedded import parse_args

CLOSE_NOTICES = {"task": "claims.tasks.close_due_notices", "schedule": 300.0}


class DutyBroken(Exception):
    pass


@celery_app.task(name="tests.worker.broken_duty")
def broken_duty() -> None:
    raise DutyBroken("broken on purpose")


@pytest.fixture
def beat_schedule():
    """Replace the app's beat schedule for one test."""
    previous = celery_app.conf.beat_schedule

    def replace(entries: dict) -> None:
        celery_app.conf.beat_schedule = entries

    yield replace
    celery_app.conf.beat_schedule = previous


def notice_of(claim) -> PublicNotice:
    return current_entry(claim).notice


@pytest.mark.django_db
def test_run_duties_once_closes_due_notice(due_claim):
    out = io.StringIO()

    call_command("run_duties", "--once", stdout=out)

    due_claim.refresh_from_db()
    assert due_claim.status == Status.NOTICE_PASSED
    assert notice_of(due_claim).closed_at is not None
    assert "close-due-notices: ok, returned 1" in out.getvalue()


@pytest.mark.django_db
def test_run_duties_twice_changes_nothing(due_claim):
    call_command("run_duties", "--once", stdout=io.StringIO())
    closed_at = notice_of(due_claim).closed_at
    logs = state_logs(due_claim).count()
    out = io.StringIO()

    call_command("run_duties", "--once", stdout=out)

    assert "close-due-notices: ok, returned 0" in out.getvalue()
    assert notice_of(due_claim).closed_at == closed_at
    assert state_logs(due_claim).count() == logs


@pytest.mark.django_db
def test_failing_duty_logged_others_run(due_claim, beat_schedule, caplog):
    beat_schedule(
        {
            "broken": {"task": "tests.worker.broken_duty", "schedule": 60.0},
            "close-due-notices": CLOSE_NOTICES,
        }
    )

    with caplog.at_level(logging.ERROR, logger="worker.duties"):
        outcomes = run_duties_once()

    broken, closing = outcomes
    assert not broken.ok
    assert "broken on purpose" in broken.error
    assert closing.ok
    assert closing.result == 1
    due_claim.refresh_from_db()
    assert due_claim.status == Status.NOTICE_PASSED
    [record] = caplog.records
    assert "duty broken (tests.worker.broken_duty) failed" in record.getMessage()
    assert record.exc_info[0] is DutyBroken


@pytest.mark.django_db
def test_run_duties_once_fails_after_all_ran(due_claim, beat_schedule):
    beat_schedule(
        {
            "broken": {"task": "tests.worker.broken_duty", "schedule": 60.0},
            "close-due-notices": CLOSE_NOTICES,
        }
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 duties failed: broken"):
        call_command("run_duties", "--once", stdout=io.StringIO(), stderr=err)

    assert "broken: failed, DutyBroken('broken on purpose')" in err.getvalue()
    due_claim.refresh_from_db()
    assert due_claim.status == Status.NOTICE_PASSED


@pytest.mark.django_db
def test_unknown_task_logged_others_run(due_claim, beat_schedule, caplog):
    beat_schedule(
        {
            "unknown": {"task": "claims.tasks.no_such_task", "schedule": 60.0},
            "close-due-notices": CLOSE_NOTICES,
        }
    )

    with caplog.at_level(logging.ERROR, logger="worker.duties"):
        unknown, closing = run_duties_once()

    assert "claims.tasks.no_such_task" in unknown.error
    assert closing.result == 1
    assert "duty unknown (claims.tasks.no_such_task) failed" in caplog.text


@pytest.mark.django_db
def test_repeated_failure_traceback_once(beat_schedule, caplog):
    beat_schedule({"broken": {"task": "tests.worker.broken_duty", "schedule": 60.0}})
    runner = DutyRunner()

    with caplog.at_level(logging.ERROR, logger="worker.duties"):
        runner.run_once()
        runner.run_once()

    first, second = caplog.records
    assert first.exc_info is not None
    assert second.exc_info is None
    assert "failed again, 2 rounds in a row" in second.getMessage()
    assert runner.failures == {"broken": 2}


@pytest.mark.django_db
def test_recovered_duty_logged(beat_schedule, caplog):
    beat_schedule({"broken": {"task": "tests.worker.broken_duty", "schedule": 60.0}})
    runner = DutyRunner()
    runner.run_once()
    beat_schedule({"broken": CLOSE_NOTICES})

    with caplog.at_level(logging.INFO, logger="worker.duties"):
        [outcome] = runner.run_once()

    assert outcome.ok
    assert "duty broken succeeded after 1 failed rounds" in caplog.text
    assert runner.failures == {}


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_run_duties_rejects_interval(value):
    with pytest.raises(CommandError, match=f"--interval.*{value}"):
        call_command("run_duties", "--interval", value)


@pytest.mark.django_db(transaction=True)
def test_duty_thread_closes_due_notice(due_claim):
    rounds = []
    first_round = threading.Event()

    def record(outcomes):
        rounds.append(outcomes)
        first_round.set()

    duties = DutyThread(interval=3600, on_round=record)
    duties.start()
    finished = first_round.wait(WAIT_SECONDS)
    stopped = duties.stop(timeout=WAIT_SECONDS)

    assert finished
    assert stopped
    assert len(rounds) == 1
    [closing] = rounds[0]
    assert closing.result == 1
    due_claim.refresh_from_db()
    assert due_claim.status == Status.NOTICE_PASSED


@pytest.mark.parametrize(
    ("option", "value"),
    [("--duty-interval", "0"), ("--port", "70000"), ("--threads", "0")],
)
def test_embedded_rejects_option(option, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args([option, value])

    assert exit_info.value.code == 2
    assert f"{option} must be" in capsys.readouterr().err


def test_embedded_server_serves_and_stops(migrated_var_dir, tmp_path):
    port = free_port()
    log = tmp_path / "embedded.log"
    command = [sys.executable, "-m", "worker.embedded", "--port", str(port)]
    command += ["--duty-interval", "3600"]
    server = start_process(command, embedded_environment(migrated_var_dir), log)
    base = f"http://127.0.0.1:{port}"
    try:
        answered = wait_until(lambda: http_status(f"{base}/admin/login/") == 200)
        static = http_status(f"{base}/static/admin/css/base.css")
        duties_started = wait_until(
            lambda: "scheduled duties started" in log.read_text()
        )
        server.send_signal(signal.SIGINT)
        status = server.wait(WAIT_SECONDS)
    finally:
        kill_process_group(server)
    output = log.read_text()

    assert answered, output
    assert static == 200
    assert duties_started
    assert status == 0
    assert f"running at {base}/" in output
    assert f"Sign in at {base}/login/" in output
    assert "scheduled duties stopped" in output


def test_run_duties_command_stops_on_sigterm(migrated_var_dir, tmp_path):
    log = tmp_path / "duties.log"
    command = [sys.executable, "manage.py", "run_duties", "--interval", "3600"]
    runner = start_process(command, embedded_environment(migrated_var_dir), log)
    try:
        started = wait_until(lambda: "scheduled duties started" in log.read_text())
        ran = wait_until(lambda: "close_due_notices" in log.read_text())
        runner.send_signal(signal.SIGTERM)
        status = runner.wait(WAIT_SECONDS)
    finally:
        kill_process_group(runner)
    output = log.read_text()

    assert started, output
    assert ran, output
    assert status == 0
    assert "scheduled duties stopped" in output
