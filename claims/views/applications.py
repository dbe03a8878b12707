"""Registering an application, adding documents and downloading them."""

import logging
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims import services
from claims.forms import ApplicationForm, DocumentForm, attach_service_error
from claims.models import ClaimDocument
from claims.selectors import households_for_clerk, visible_claims
from claims.views.common import (
    forbidden,
    get_visible_claim,
    report_error,
    role_refusal,
)
from registry.models import Role
from relief.errors import PermissionRefused, ServiceError

logger = logging.getLogger(__name__)

# Households offered at once by the application form and its search; the
# form's help text states the same number.
HOUSEHOLD_CHOICES_SHOWN = 50


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a household's application with documents (village clerks only)."""
    refusal = role_refusal(request, Role.VILLAGE_CLERK)
    if refusal:
        return refusal
    query = request.GET.get("q", "")
    if request.method != "POST":
        households = households_for_clerk(request.user, query)
        form = ApplicationForm(households=households[:HOUSEHOLD_CHOICES_SHOWN])
        return _render_form(request, form, query)

    form = ApplicationForm(
        request.POST, request.FILES, households=households_for_clerk(request.user)
    )
    if not form.is_valid():
        return _render_form(request, form, query)
    data = form.cleaned_data
    try:
        claim = services.register_application(
            user=request.user,
            household=data["household"],
            cause=data["cause"],
            amount_claimed=data["amount_claimed"],
            description=data["description"],
            documents=data["documents"],
        )
    except ServiceError as error:
        attach_service_error(form, error)
        return _render_form(request, form, query)
    messages.success(
        request,
        _("Application %(number)s registered with %(count)s document(s).")
        % {"number": claim.number, "count": len(data["documents"])},
    )
    return redirect("claims:detail", pk=claim.pk)


def _render_form(request: HttpRequest, form: ApplicationForm, query: str):
    if form.is_bound:
        # The bound form accepted any household of the village; show the
        # usual short list again, plus the household already chosen.
        households = households_for_clerk(request.user)
        shown = list(
            households_for_clerk(request.user, query).values_list("pk", flat=True)[
                :HOUSEHOLD_CHOICES_SHOWN
            ]
        )
        chosen = getattr(form, "cleaned_data", {}).get("household")
        if chosen is not None:
            shown.append(chosen.pk)
        form.fields["household"].queryset = households.filter(pk__in=shown)
    return render(request, "claims/register.html", {"form": form, "query": query})


@login_required
def household_options(request: HttpRequest) -> HttpResponse:
    """Render the household choices matching a search, for the application form."""
    refusal = role_refusal(request, Role.VILLAGE_CLERK)
    if refusal:
        return refusal
    households = households_for_clerk(request.user, request.GET.get("q", ""))
    return render(
        request,
        "claims/_household_options.html",
        {"households": households[:HOUSEHOLD_CHOICES_SHOWN]},
    )


@login_required
@require_POST
def add_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Add supporting documents to an open claim (village clerks only)."""
    claim = get_visible_claim(request, pk)
    refusal = role_refusal(request, Role.VILLAGE_CLERK)
    if refusal:
        return refusal
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("documents", []):
            messages.error(request, f"{form.fields['documents'].label}: {error}")
        return redirect("claims:detail", pk=claim.pk)
    added = 0
    try:
        for document in form.cleaned_data["documents"]:
            services.add_document(
                user=request.user, claim_id=claim.pk, document=document
            )
            added += 1
    except PermissionRefused as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        report_error(request, error)
    if added:
        messages.success(
            request,
            _("%(count)s document(s) added to claim %(number)s.")
            % {"count": added, "number": claim.number},
        )
    return redirect("claims:detail", pk=claim.pk)


@login_required
def download_document(request: HttpRequest, pk: int) -> FileResponse:
    """Send a supporting document to a user who may see its claim."""
    document = get_object_or_404(
        ClaimDocument.objects.select_related("claim"),
        pk=pk,
        claim__in=visible_claims(request.user).values("pk"),
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        logger.error(
            "document file missing",
            extra={"document_id": document.pk, "claim_id": document.claim_id},
        )
        raise Http404(_("The document's file is missing.")) from None
    filename = document.title or PurePath(document.file.name).name
    return FileResponse(handle, as_attachment=True, filename=filename)
