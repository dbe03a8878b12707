"""Helpers shared by the verification and payout pages."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from claims.models import Claim
from claims.transitions import step_label
from registry.models import User
from relief.errors import ServiceError


def require_role(user: User, *roles: str) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


def posted_data(request: HttpRequest):
    """Return the POST data to bind a form to, or None for a GET.

    An empty POST still binds, so its required fields are reported.
    """
    return request.POST if request.method == "POST" else None


def step_unavailable(claim: Claim, step: str) -> str:
    """Return the message shown when the claim's status does not allow ``step``."""
    return _("Claim %(number)s is “%(status)s”; “%(step)s” is not allowed now.") % {
        "number": claim.number,
        "status": claim.get_status_display(),
        "step": step_label(step),
    }


def add_service_error(
    form: forms.Form, error: ServiceError, fields: dict[str, str] | None = None
) -> None:
    """Show a service's error beside the form field it names, or above the form.

    ``fields`` maps a service's field name to a form field of another name.
    """
    name = (fields or {}).get(error.field or "", error.field)
    if name in form.fields:
        form.add_error(name, error.message)
    else:
        form.add_error(None, error.message)
