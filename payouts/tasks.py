"""Background work on payouts."""

import logging

from celery import shared_task

from payouts import certificates

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def render_certificate(certificate_id: int) -> None:
    """Render a payout certificate's PDF; a second run finds it rendered and stops."""
    certificates.render_and_store(certificate_id)
