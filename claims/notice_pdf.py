"""The PDF of a public notice (公示), posted in the village and stored once.

A notice shows, for each listed claim, the head of household's name, the ID
number with only its first 6 and last 4 characters visible, the village, the
cause and the proposed payout. It never shows a full ID number, a phone
number, a bank account or the claim's description, which may hold health
details.
"""

import logging
from decimal import Decimal
from typing import Any

from claims.models import NoticeEntry, PublicNotice
from registry.idnumbers import mask_id_number
from relief.pdf import county_name, format_yuan, render_pdf, store_file_once

logger = logging.getLogger(__name__)


def notice_rows(notice: PublicNotice) -> list[dict[str, Any]]:
    """Return the printable fields of each entry, in the order they were listed."""
    entries = (
        NoticeEntry.objects.filter(notice=notice)
        .select_related("claim__household__village")
        .prefetch_related("claim__household__members")
        .order_by("id")
    )
    rows = []
    for entry in entries:
        household = entry.claim.household
        head = household.head
        rows.append(
            {
                "head_name": head.name if head else "",
                "id_number": mask_id_number(head.id_number) if head else "",
                "village": household.village.name,
                # The template calls get_cause_display, so the cause is in the
                # document's language, not the caller's.
                "claim": entry.claim,
                "amount": entry.amount,
                "amount_figures": format_yuan(entry.amount),
            }
        )
    return rows


def notice_context(notice: PublicNotice) -> dict[str, Any]:
    rows = notice_rows(notice)
    village = notice.village
    return {
        "notice": notice,
        "rows": rows,
        "village_name": village.name,
        "village_full_name": village.full_name(),
        "county_name": county_name(village),
        "total_figures": format_yuan(sum((row["amount"] for row in rows), Decimal(0))),
    }


def render_notice_pdf(notice: PublicNotice) -> bytes:
    return render_pdf("claims/notice_pdf.html", notice_context(notice))


def store_notice_pdf(notice_id: int) -> PublicNotice:
    """Render the notice's PDF into ``PublicNotice.pdf`` unless it has one.

    Safe to run twice: a second run finds the PDF and returns. Two workers
    running at the same moment may both render, but only the first to store
    keeps its file.
    """
    notice = _load(notice_id)
    if notice.pdf:
        return notice
    pdf = render_notice_pdf(notice)
    if store_file_once(notice, "pdf", f"{notice.number}.pdf", pdf):
        logger.info(
            "notice PDF stored %s", notice.number, extra={"notice_id": notice.pk}
        )
    return _load(notice_id)


def _load(notice_id: int) -> PublicNotice:
    return PublicNotice.objects.select_related(
        "village__parent__parent__parent__parent"
    ).get(pk=notice_id)
