"""Payout certificates: rendering the PDF and storing it once."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from payouts.models import Certificate


def render_certificate_pdf(certificate: Certificate) -> bytes:
    payment = certificate.payment
    claim = payment.claim
    html = render_to_string(
        "payouts/certificate.html",
        {
            "certificate": certificate,
            "payment": payment,
            "claim": claim,
            "household": claim.household,
            "head": claim.household.head,
        },
    )
    return HTML(string=html).write_pdf()


def render_and_store(certificate_id: int) -> Certificate:
    """Render the certificate unless it already has a PDF; safe to run twice."""
    certificate = Certificate.objects.select_related(
        "payment__claim__household__village"
    ).get(pk=certificate_id)
    if certificate.pdf:
        return certificate
    pdf = render_certificate_pdf(certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if locked.pdf:
            return locked
        locked.pdf.save(f"{locked.number}.pdf", ContentFile(pdf), save=False)
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["pdf", "rendered_at"])
    return locked
