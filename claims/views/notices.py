"""Public notices (公示): opening, listing, the notice page and its PDF, and
the objections raised against its claims."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import notices
from claims.forms import (
    NoticeOpenForm,
    ObjectionForm,
    ObjectionResolveForm,
    attach_service_error,
)
from claims.models import Claim, Objection, ObjectionStatus, Status
from claims.selectors import notice_candidates, visible_claims, visible_notices
from claims.views.common import (
    forbidden,
    get_visible_claim,
    paginate,
    role_refusal,
)
from registry.models import Role
from relief.errors import PermissionRefused, ServiceError

NOTICES_PER_PAGE = 25
NOTICE_ROLES = (Role.POVERTY_OFFICE, Role.VILLAGE_CLERK)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices_shown = (
        visible_notices(request.user)
        .annotate(entry_count=Count("entries"))
        .order_by("-opened_at", "-id")
    )
    return render(
        request,
        "claims/notice_list.html",
        {
            "page": paginate(request, notices_shown, NOTICES_PER_PAGE),
            "may_open": request.user.has_role(*NOTICE_ROLES),
        },
    )


@login_required
def notice_open(request: HttpRequest) -> HttpResponse:
    """Post a notice listing chosen deliberated claims of one village."""
    refusal = role_refusal(request, *NOTICE_ROLES)
    if refusal:
        return refusal
    candidates = notice_candidates(request.user)
    village = request.GET.get("village", "")
    if village.isdigit():
        candidates = candidates.filter(household__village_id=int(village))
    data = request.POST if request.method == "POST" else None
    form = NoticeOpenForm(data, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        claim_ids = [claim.pk for claim in form.cleaned_data["claims"]]
        try:
            notice = notices.open_notice(user=request.user, claim_ids=claim_ids)
        except PermissionRefused as error:
            return forbidden(request, error.message)
        except ServiceError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request,
                _("Notice %(number)s opened with %(count)s claim(s).")
                % {"number": notice.number, "count": len(claim_ids)},
            )
            return redirect("claims:notice_detail", pk=notice.pk)
    groups = [
        (village, list(claims))
        for village, claims in groupby(candidates, key=_village_of)
    ]
    return render(
        request,
        "claims/notice_open.html",
        {
            "form": form,
            "groups": groups,
            "selected": set(request.POST.getlist("claims")),
        },
    )


def _village_of(claim: Claim):
    return claim.household.village


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(visible_notices(request.user), pk=pk)
    entries = notice.entries.select_related(
        "claim__household__village"
    ).prefetch_related("claim__household__members", "objections")
    user = request.user
    return render(
        request,
        "claims/notice_detail.html",
        {
            "notice": notice,
            "entries": entries,
            "now": timezone.now(),
            "may_record_objection": notice.is_open
            and user.has_role(Role.VILLAGE_CLERK, Role.POVERTY_OFFICE),
            "may_resolve_objections": user.has_role(Role.POVERTY_OFFICE),
            "on_notice": Status.ON_NOTICE,
            "pending": ObjectionStatus.PENDING,
        },
    )


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the notice as a PDF to print and post in the village.

    The PDF is rendered by a task when the notice opens; a request that comes
    first renders and stores it, so each notice is rendered once.
    """
    from claims.notice_pdf import store_notice_pdf

    notice = get_object_or_404(visible_notices(request.user), pk=pk)
    if not notice.pdf:
        notice = store_notice_pdf(notice.pk)
    with notice.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
    return response


@login_required
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an objection raised against claim ``pk`` during its notice."""
    claim = get_visible_claim(request, pk)
    refusal = role_refusal(request, Role.VILLAGE_CLERK, Role.POVERTY_OFFICE)
    if refusal:
        return refusal
    entry = claim.notice_entries.select_related("notice").order_by("-id").first()
    if claim.status != Status.ON_NOTICE or entry is None or not entry.notice.is_open:
        messages.error(
            request,
            _("Claim %(number)s is not on an open notice.") % {"number": claim.number},
        )
        return redirect("claims:detail", pk=claim.pk)
    if request.method != "POST":
        form = ObjectionForm(initial={"raised_on": timezone.localdate()})
        return _render_objection(request, claim, entry, form)

    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _render_objection(request, claim, entry, form)
    try:
        notices.record_objection(
            user=request.user, claim_id=claim.pk, **form.cleaned_data
        )
    except PermissionRefused as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        attach_service_error(form, error)
        return _render_objection(request, claim, entry, form)
    messages.success(
        request,
        _("Objection to claim %(number)s recorded; the poverty office resolves it.")
        % {"number": claim.number},
    )
    return redirect("claims:notice_detail", pk=entry.notice_id)


def _render_objection(request, claim, entry, form):
    return render(
        request,
        "claims/objection_form.html",
        {"claim": claim, "entry": entry, "form": form},
    )


@login_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Uphold or dismiss an objection (poverty office only)."""
    objection = get_object_or_404(
        Objection.objects.select_related("entry__claim", "entry__notice"),
        pk=pk,
        entry__claim__in=visible_claims(request.user).values("pk"),
    )
    refusal = role_refusal(request, Role.POVERTY_OFFICE)
    if refusal:
        return refusal
    notice_id = objection.entry.notice_id
    if objection.status != ObjectionStatus.PENDING:
        messages.error(request, _("This objection is already resolved."))
        return redirect("claims:notice_detail", pk=notice_id)
    form = ObjectionResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.resolve_objection(
                user=request.user,
                objection_id=objection.pk,
                upheld=form.upheld,
                resolution=form.cleaned_data["resolution"],
            )
        except PermissionRefused as error:
            return forbidden(request, error.message)
        except ServiceError as error:
            attach_service_error(form, error)
        else:
            if form.upheld:
                text = _("Objection upheld; claim %(number)s goes back to the insurer.")
            else:
                text = _("Objection dismissed for claim %(number)s.")
            messages.success(request, text % {"number": objection.entry.claim.number})
            return redirect("claims:notice_detail", pk=notice_id)
    return render(
        request,
        "claims/objection_resolve.html",
        {"objection": objection, "form": form},
    )
