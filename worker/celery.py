"""The Celery application, its beat schedule and task routing.

Scheduled duties select their work from the database each time they run, so a
missed or repeated beat tick does no harm.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief.settings")

app = Celery("relief")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "close-due-notices": {
        "task": "claims.tasks.close_due_notices",
        # Every five minutes: a notice closes within minutes of its end.
        "schedule": crontab(minute="*/5"),
    },
}
app.conf.task_routes = {
    "payouts.tasks.render_certificate": {"queue": "documents"},
    "claims.tasks.render_notice_pdf": {"queue": "documents"},
}
