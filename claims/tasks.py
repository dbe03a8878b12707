"""Scheduled and background work on claims."""

import logging

from celery import shared_task

from claims import notice_pdf, notices

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def close_due_notices() -> int:
    """Close every notice whose period has ended (run by beat every few minutes)."""
    closed = notices.close_due_notices()
    if closed:
        logger.info("closed %d due notices", closed)
    return closed


# A notice of 300 entries took about 5 s with HarfBuzz subsetting on 2 busy
# cores, and WeasyPrint's fontTools fallback adds about 5 s per font face. The
# limits leave room for both and stop a stuck render from holding a worker.
@shared_task(
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def render_notice_pdf(notice_id: int) -> None:
    """Render and store a public notice's PDF. A second run finds it and stops.

    Only OSError (a full disk, an unreachable file store) is retried.
    """
    notice_pdf.store_notice_pdf(notice_id)
