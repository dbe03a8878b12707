"""Helpers shared by the claims views: scoped look-ups, role checks and the
way a refused step is shown."""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import Claim
from claims.selectors import visible_claims
from registry.models import Role
from relief.errors import ServiceError

# Input names shown in messages, for errors that name a field.
FIELD_LABELS = {
    "note": gettext_lazy("Reason or note"),
    "step": gettext_lazy("Step"),
    "status": gettext_lazy("Status"),
    "claim_ids": gettext_lazy("Claims"),
}


def get_visible_claim(request: HttpRequest, pk: int) -> Claim:
    """Return the claim if the user may see it, else raise Http404."""
    return get_object_or_404(visible_claims(request.user), pk=pk)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """Render a 403 page that explains why the user may not do this."""
    return render(request, "claims/forbidden.html", {"message": message}, status=403)


def role_refusal(request: HttpRequest, *roles: str) -> HttpResponse | None:
    """Return a 403 response unless the user has one of ``roles``, else None."""
    if request.user.has_role(*roles):
        return None
    names = ", ".join(str(Role(role).label) for role in roles)
    return forbidden(
        request,
        _("Only these roles may do this: %(roles)s.") % {"roles": names},
    )


def describe_error(error: ServiceError) -> str:
    """Return the error's message, followed by the field and value it names
    when the message does not already show the value."""
    if error.field is None:
        return error.message
    value = "" if error.value is None else str(error.value)
    if value and value in error.message:
        return error.message
    label = str(FIELD_LABELS.get(error.field, error.field))
    shown = value if value.strip() else _("(empty)")
    return _("%(message)s (%(field)s: “%(value)s”)") % {
        "message": error.message,
        "field": label,
        "value": shown,
    }


def report_error(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, describe_error(error))


def paginate(request: HttpRequest, items, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))
