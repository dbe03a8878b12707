"""Scheduled and background work on claims."""

import logging

from celery import shared_task

from claims import notices

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def close_due_notices() -> int:
    """Close every notice whose period has ended (run by beat every few minutes)."""
    closed = notices.close_due_notices()
    if closed:
        logger.info("closed %d due notices", closed)
    return closed
