"""Template filters of the claims pages: masking personal data by role,
status and step labels, and yuan amounts."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from claims.models import Status
from claims.transitions import step_label
from registry.idnumbers import mask_id_number

register = template.Library()

# Characters of a phone number or bank account left visible when masked.
VISIBLE_TAIL = 4


@register.filter
def id_for(id_number: str, user) -> str:
    """Show the ID number in full to roles that see personal data, else masked."""
    if getattr(user, "sees_personal_data", False):
        return id_number
    return mask_id_number(id_number)


@register.filter
def masked_id(id_number: str) -> str:
    """Mask the ID number, leaving only its first 6 and last 4 characters."""
    return mask_id_number(id_number)


@register.filter
def personal_for(value: str, user) -> str:
    """Show a phone number or bank account in full to roles that see personal
    data, else only its last four characters."""
    if not value or getattr(user, "sees_personal_data", False):
        return value
    hidden = max(len(value) - VISIBLE_TAIL, 0)
    return "*" * hidden + value[hidden:]


@register.filter
def status_label(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def step_name(transition: str) -> str:
    if transition == "register":
        return _("registration")
    return step_label(transition)


@register.filter
def yuan(value: Decimal | None) -> str:
    """Format an amount with thousands separators and two decimals: 18,000.00."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
