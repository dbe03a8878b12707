"""The work queue and the filterable list of visible claims."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from claims.forms import CLAIMS_PER_PAGE, ClaimFilterForm
from claims.models import Status
from claims.selectors import (
    filter_claims,
    notice_candidates,
    visible_claims,
    visible_villages,
    with_status_since,
    work_queue,
)
from claims.views.common import paginate
from registry.models import Role


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Claims waiting for this user's next step, oldest first."""
    claims = work_queue(request.user)
    counts = {
        row["status"]: row["total"]
        for row in claims.order_by().values("status").annotate(total=Count("id"))
    }
    status_counts = [
        (Status(status).label, total) for status, total in sorted(counts.items())
    ]
    page = paginate(request, with_status_since(claims), CLAIMS_PER_PAGE)
    ready_for_notice = 0
    if request.user.has_role(Role.POVERTY_OFFICE, Role.VILLAGE_CLERK):
        ready_for_notice = notice_candidates(request.user).count()
    return render(
        request,
        "claims/queue.html",
        {
            "page": page,
            "status_counts": status_counts,
            "ready_for_notice": ready_for_notice,
            "visible_total": visible_claims(request.user).count(),
        },
    )


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    """List every visible claim, filtered by status, cause, village and a search."""
    villages = visible_villages(request.user)
    form = ClaimFilterForm(request.GET or None, villages=villages)
    claims = visible_claims(request.user)
    if form.is_bound and not form.is_valid():
        # An invalid filter shows its error and no rows, never the unfiltered list.
        claims = claims.none()
    elif form.is_bound:
        claims = filter_claims(
            claims,
            status=form.cleaned_data["status"],
            cause=form.cleaned_data["cause"],
            village=form.cleaned_data["village"],
            query=form.cleaned_data["q"],
        )
    page = paginate(request, with_status_since(claims), CLAIMS_PER_PAGE)
    context = {"form": form, "page": page, "htmx_target": "claim-table"}
    if request.htmx and request.htmx.target == "claim-table":
        return render(request, "claims/_claim_table.html", context)
    return render(request, "claims/list.html", context)
