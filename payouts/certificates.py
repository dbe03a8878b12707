"""Payout certificates (防贫帮困金发放凭证): rendering the PDF and storing it once.

Amounts in Chinese capital numerals (大写) follow the People's Bank of China
rules for bills and settlement vouchers (正确填写票据和结算凭证的基本规定).
整 follows 元 or 角 when there is no fen (after 角 the rules allow either),
one 零 stands for any run of zeros inside the yuan figure, and 零 follows 元
when the jiao digit is 0 but the fen digit is not.
"""

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from payouts.models import FEN, Certificate
from registry.idnumbers import mask_id_number
from relief.pdf import county_name, format_yuan, render_pdf, store_file_once

logger = logging.getLogger(__name__)

CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Places inside a group of four digits, and the unit of each group.
CAPITAL_PLACES = ("", "拾", "佰", "仟")
CAPITAL_GROUPS = ("", "万", "亿", "万")
# Amounts must be below this: the largest group unit is 万亿 (10**12).
CAPITAL_LIMIT = 10 ** (4 * len(CAPITAL_GROUPS))


def amount_in_capitals(amount: Decimal) -> str:
    """Return a yuan amount in Chinese capital numerals, e.g. 柒仟壹佰元整.

    Raise ValueError naming the value unless ``amount`` is a finite, non-negative
    Decimal with at most two decimal places and below 10**16 yuan.
    """
    if (
        not isinstance(amount, Decimal)
        or not amount.is_finite()
        or not 0 <= amount < CAPITAL_LIMIT
        or amount != amount.quantize(FEN)
    ):
        raise ValueError(
            f"amount must be a Decimal from 0 to below {CAPITAL_LIMIT} yuan with "
            f"at most two decimal places, not {amount!r}"
        )
    yuan, cents = divmod(int(amount * 100), 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"

    parts = []
    if yuan:
        parts.append(_integer_in_capitals(yuan) + "元")
    if jiao:
        parts.append(CAPITAL_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")
    parts.append(CAPITAL_DIGITS[fen] + "分" if fen else "整")
    return "".join(parts)


def _integer_in_capitals(number: int) -> str:
    digits = str(number)
    parts = []
    zero_pending = False
    for index, char in enumerate(digits):
        position = len(digits) - 1 - index
        group, place = divmod(position, 4)
        if char == "0":
            zero_pending = True
        else:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(CAPITAL_DIGITS[int(char)] + CAPITAL_PLACES[place])
        if (
            place == 0
            and group > 0
            and (group == 2 or int(digits[max(0, index - 3) : index + 1]))
        ):
            # 万 is written when its four digits are not all 0. 亿 always is,
            # because the group above it is counted in 万亿: 壹万零壹亿.
            parts.append(CAPITAL_GROUPS[group])
    return "".join(parts)


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    payment = certificate.payment
    claim = payment.claim
    household = claim.household
    head = household.head
    village = household.village
    verified = payment.computation.get("verified_amount")
    return {
        "certificate": certificate,
        "payment": payment,
        "claim": claim,
        "head_name": head.name if head else "",
        "head_id_number": mask_id_number(head.id_number) if head else "",
        "village_full_name": village.full_name(),
        "county_name": county_name(village),
        "verified_amount": format_yuan(Decimal(verified)) if verified else "",
        "amount_figures": format_yuan(payment.amount),
        "amount_capitals": amount_in_capitals(payment.amount),
        "approved_on": timezone.localdate(payment.approved_at),
        "paid_on": timezone.localdate(payment.paid_at) if payment.paid_at else None,
        "check_url": settings.SITE_URL + reverse("payouts:check_certificate"),
    }


def render_certificate_pdf(certificate: Certificate) -> bytes:
    return render_pdf("payouts/certificate.html", certificate_context(certificate))


def render_and_store(certificate_id: int) -> Certificate:
    """Render the certificate's PDF and store it, unless one is stored already.

    Safe to run twice: a second run finds the PDF and returns. Two workers
    running at the same moment may both render, but only the first to store
    keeps its file (see ``store_file_once``).
    """
    certificate = _load(certificate_id)
    if certificate.pdf:
        return certificate
    pdf = render_certificate_pdf(certificate)
    stored = store_file_once(
        certificate,
        "pdf",
        f"{certificate.number}.pdf",
        pdf,
        rendered_at=timezone.now(),
    )
    if stored:
        logger.info(
            "certificate %s stored",
            certificate.number,
            extra={
                "certificate_id": certificate.pk,
                "payment_id": certificate.payment_id,
            },
        )
    return _load(certificate_id)


def _load(certificate_id: int) -> Certificate:
    return (
        Certificate.objects.select_related(
            "payment__fund",
            "payment__claim__household__village__parent__parent__parent",
        )
        .prefetch_related("payment__claim__household__members")
        .get(pk=certificate_id)
    )
