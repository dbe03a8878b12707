"""Checks of dates that people type in."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from relief.errors import ServiceError


def reject_future_date(value: datetime.date, field: str, label: str) -> None:
    """Raise ServiceError naming the field and value when ``value`` is after
    today on the Asia/Shanghai calendar; ``label`` names the date in the message."""
    if value > timezone.localdate():
        raise ServiceError(
            _("The %(label)s %(value)s is in the future.")
            % {"label": label, "value": value},
            code="invalid_date",
            field=field,
            value=value,
        )
