"""Tasks sent through a real Redis broker and run by a real Celery worker.

The worker runs in a thread of the test process, so it uses the test database.
Eager mode, which the suite turns on for every other test, is off here.
"""

import subprocess
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from celery import beat, signals
from celery.contrib.testing.worker import start_worker
from django.db import connections

from claims.models import Status
from claims.notices import current_entry
from payouts import services as payouts
from payouts.tasks import render_certificate
from relief import celery_app
from tests.journey import claim_at, state_logs
from tests.worker.conftest import WAIT_SECONDS, broker_url, real_worker_skip_reason
from worker.stack import routed_queues

_SKIP_REASON = real_worker_skip_reason()
pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(_SKIP_REASON is not None, reason=_SKIP_REASON or ""),
]


@dataclass(frozen=True)
class TaskRun:
    name: str
    task_id: str
    args: tuple
    state: str
    retval: Any
    eager: bool
    routing_key: str
    thread: str


class TaskRecorder:
    """Records every task run that finishes, and waits for one."""

    def __init__(self) -> None:
        self.runs: list[TaskRun] = []
        self.changed = threading.Condition()

    def on_postrun(self, sender=None, task_id=None, args=None, state=None, **kwargs):
        run = TaskRun(
            name=sender.name,
            task_id=task_id,
            args=tuple(args or ()),
            state=state,
            retval=kwargs.get("retval"),
            eager=bool(sender.request.is_eager),
            routing_key=(sender.request.delivery_info or {}).get("routing_key", ""),
            thread=threading.current_thread().name,
        )
        # The worker thread keeps no connection open past a task, so the test
        # database can be flushed and dropped after the test.
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()
        with self.changed:
            self.runs.append(run)
            self.changed.notify_all()

    def wait_for(self, name: str, **match: Any) -> TaskRun:
        """Return the first finished run of ``name`` whose fields equal ``match``,
        waiting up to WAIT_SECONDS; a retry does not count as finished."""

        def found() -> TaskRun | None:
            for run in self.runs:
                if run.name != name or run.state == "RETRY":
                    continue
                if all(getattr(run, key) == value for key, value in match.items()):
                    return run
            return None

        with self.changed:
            run = self.changed.wait_for(found, timeout=WAIT_SECONDS)
        assert run is not None, f"{name} {match} did not finish: {self.runs}"
        return run


def forget_broker_pools() -> None:
    """Make the app build its connection pools anew from broker_url."""
    # NOTE: _pool and amqp._producer_pool are Celery internals (5.7); Celery
    # resets them the same way after a fork. The pools are not closed, because
    # kombu shares producer pools between apps by connection URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def delete_prefixed_keys(prefix: str) -> None:
    client = redis.Redis.from_url(broker_url())
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def worker():
    """A Celery worker in a thread, consuming every routed queue from Redis."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": conf.broker_transport_options,
        "task_always_eager": conf.task_always_eager,
        "worker_hijack_root_logger": conf.worker_hijack_root_logger,
    }
    conf.broker_url = broker_url()
    # A key prefix of its own keeps this test's queues apart from those of any
    # other test run or worker using the same Redis database.
    prefix = f"relief-test-{uuid.uuid4().hex}:"
    conf.broker_transport_options = {
        **(saved["broker_transport_options"] or {}),
        "global_keyprefix": prefix,
    }
    conf.task_always_eager = False
    # Leaves pytest's log capture and Django's handlers on the root logger.
    conf.worker_hijack_root_logger = False
    forget_broker_pools()
    recorder = TaskRecorder()
    signals.task_postrun.connect(recorder.on_postrun, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            shutdown_timeout=WAIT_SECONDS,
            queues=routed_queues(),
        ):
            yield recorder
    finally:
        signals.task_postrun.disconnect(recorder.on_postrun)
        for key, value in saved.items():
            setattr(conf, key, value)
        forget_broker_pools()
        delete_prefixed_keys(prefix)


def send_scheduled(entry_name: str) -> str:
    """Send one beat schedule entry the way beat sends it; return the task id."""
    scheduler = beat.Scheduler(app=celery_app)
    result = scheduler.apply_async(scheduler.schedule[entry_name], advance=False)
    return result.id


def pdf_text(path: str) -> str:
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", path, "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_beat_task_closes_notice_on_worker(worker, due_claim):
    task_id = send_scheduled("close-due-notices")
    run = worker.wait_for("claims.tasks.close_due_notices", task_id=task_id)

    assert run.state == "SUCCESS"
    assert run.retval == 1
    assert not run.eager
    assert run.routing_key == "celery"
    assert run.thread != threading.main_thread().name
    due_claim.refresh_from_db()
    assert due_claim.status == Status.NOTICE_PASSED
    assert current_entry(due_claim).notice.closed_at is not None


def test_beat_task_twice_changes_nothing(worker, due_claim):
    first = worker.wait_for(
        "claims.tasks.close_due_notices", task_id=send_scheduled("close-due-notices")
    )
    notice = current_entry(due_claim).notice
    logs = state_logs(due_claim).count()

    second = worker.wait_for(
        "claims.tasks.close_due_notices", task_id=send_scheduled("close-due-notices")
    )

    assert first.retval == 1
    assert second.state == "SUCCESS"
    assert second.retval == 0
    assert current_entry(due_claim).notice.closed_at == notice.closed_at
    assert state_logs(due_claim).count() == logs


@pytest.fixture
def paid(worker, staff, household, policy, fund):
    """A payment just marked paid, its certificate queued for rendering."""
    claim = claim_at(Status.APPROVED, household, staff)
    return payouts.mark_paid(
        user=staff.coordinator, claim_id=claim.pk, bank_reference="B1"
    )


def test_certificate_rendered_on_worker(worker, paid):
    certificate = paid.certificate
    run = worker.wait_for("payouts.tasks.render_certificate", args=(certificate.pk,))
    certificate.refresh_from_db()

    assert run.state == "SUCCESS"
    assert not run.eager
    assert run.routing_key == "documents"
    assert certificate.pdf.name.endswith(".pdf")
    assert certificate.rendered_at is not None
    text = pdf_text(certificate.pdf.path)
    assert certificate.number in text
    assert paid.claim.number in text


def test_certificate_task_twice_changes_nothing(worker, paid, settings):
    certificate = paid.certificate
    worker.wait_for("payouts.tasks.render_certificate", args=(certificate.pk,))
    certificate.refresh_from_db()
    pattern = f"*{certificate.number}*"
    files = sorted(path.name for path in settings.MEDIA_ROOT.rglob(pattern))

    result = render_certificate.delay(certificate.pk)
    again = worker.wait_for("payouts.tasks.render_certificate", task_id=result.id)
    rendered_at, name = certificate.rendered_at, certificate.pdf.name
    certificate.refresh_from_db()

    assert again.state == "SUCCESS"
    assert certificate.rendered_at == rendered_at
    assert certificate.pdf.name == name
    assert sorted(path.name for path in settings.MEDIA_ROOT.rglob(pattern)) == files
