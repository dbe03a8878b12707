"""Background work on payouts."""

import logging

from celery import shared_task

from payouts import certificates

logger = logging.getLogger(__name__)


# A certificate took about 0.2 s of CPU with HarfBuzz subsetting and 11 to 12.5 s
# with WeasyPrint's fontTools fallback (2 cores, see benchmarks/README.md). The
# limits leave room for the fallback and stop a stuck render from holding a
# worker.
@shared_task(
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def render_certificate(certificate_id: int) -> None:
    """Render a payout certificate's PDF; a second run finds it rendered and stops.

    Only OSError (a full disk, an unreachable file store) is retried: a missing
    row or a template error fails the same way on every try.
    """
    certificates.render_and_store(certificate_id)
