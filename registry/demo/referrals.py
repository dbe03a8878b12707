"""Department referral lists of the demo, stored as claims in status ``imported``.

A referral is created in its first status with its first timeline row, as an
import of a department's monthly list does. The rows of one list are written
with bulk inserts.
"""

import datetime
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from claims.models import Channel, Claim, Status
from registry.demo.plan import Journey
from registry.models import User

DESCRIPTIONS = {
    "medical-clerk": "医保结算：年度住院及门诊个人自付{amount}元",
    "civil-clerk": "民政部门监测：医疗支出较大，个人负担{amount}元",
    "emergency-clerk": "应急管理部门灾情记录：房屋及农作物直接损失{amount}元",
    "education-clerk": "教育部门资助系统：学费及生活费资助后缺口{amount}元",
}


def import_referrals(
    journeys: Sequence[Journey],
    sender: User,
    year: int,
    at: datetime.datetime,
) -> list[Claim]:
    """Create the claims of one department list and their first log rows."""
    claims = [
        Claim(
            # Replaced by the year and the primary key below.
            number=f"import-{index}",
            household=journey.household,
            cause=journey.cause,
            channel=Channel.REFERRAL,
            amount_claimed=journey.amounts.claimed,
            policy_year=year,
            description=DESCRIPTIONS[sender.username].format(
                amount=journey.amounts.claimed
            ),
            status=Status.IMPORTED,
            created_by=sender,
        )
        for index, journey in enumerate(journeys)
    ]
    Claim.objects.bulk_create(claims)
    for claim, journey in zip(claims, journeys, strict=True):
        claim.number = f"{year}{claim.pk:07d}"
        journey.claim_id = claim.pk
    Claim.objects.bulk_update(claims, ["number"])
    note = _("Referral imported from the list of %(department)s.") % {
        "department": sender.department
    }
    content_type = ContentType.objects.get_for_model(Claim)
    StateLog.objects.bulk_create(
        StateLog(
            timestamp=at,
            by=sender,
            source_state=None,
            state=Status.IMPORTED,
            transition="register",
            content_type=content_type,
            object_id=claim.pk,
            description=note,
        )
        for claim in claims
    )
    return claims
