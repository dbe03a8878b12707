"""Django project for the relief fund claims service."""

from worker.celery import app as celery_app

__all__ = ["celery_app"]
