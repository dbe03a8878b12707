"""Pages for scheduling home visits, recording home checks and reading them.

Views find the claim through ``visible_claims`` (404 for a claim the user may
not see), refuse a user of the wrong role with 403, and leave every change to
``verification.services``. A service's error is shown beside the field it
names and nothing is saved.
"""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from claims.models import Status
from claims.selectors import visible_claims
from registry.models import Role
from relief.errors import ServiceError
from relief.views import add_service_error, posted_data, require_role, step_unavailable
from verification import selectors, services
from verification.forms import (
    HomeCheckForm,
    IncomeFormSet,
    ScheduleFilterForm,
    ScheduleVisitForm,
)
from verification.models import Verification

INCOME_FIELD = re.compile(r"^income\[(\d+)\]\.(\w+)$")


@login_required
@require_http_methods(["GET", "POST"])
def schedule_visit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    require_role(request.user, Role.INSURER_COORDINATOR)
    form = ScheduleVisitForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.schedule_visit(
                user=request.user,
                claim_id=claim.pk,
                inspector=form.cleaned_data["inspector"],
                planned_on=form.cleaned_data["planned_on"],
                vehicle=form.cleaned_data["vehicle"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Visit for claim %(number)s scheduled on %(date)s.")
                % {"number": claim.number, "date": visit.planned_on},
            )
            return redirect("verification:schedule")
    unavailable = None
    if claim.status != Status.REFERRED:
        unavailable = step_unavailable(claim, "schedule_visit")
    return render(
        request,
        "verification/schedule_visit.html",
        {"claim": claim, "form": form, "unavailable": unavailable},
    )


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """List the visits waiting for their home check, by date and inspector."""
    require_role(request.user, Role.INSURER_COORDINATOR)
    visits = selectors.pending_visits(request.user)
    filters = ScheduleFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["start"]:
            visits = visits.filter(planned_on__gte=filters.cleaned_data["start"])
        if filters.cleaned_data["end"]:
            visits = visits.filter(planned_on__lte=filters.cleaned_data["end"])
        if filters.cleaned_data["inspector"]:
            visits = visits.filter(inspector=filters.cleaned_data["inspector"])
    return render(
        request,
        "verification/schedule.html",
        {
            "filters": filters,
            "days": selectors.group_schedule(visits),
            "awaiting": selectors.claims_awaiting_visit(request.user)[:100],
            "today": timezone.localdate(),
        },
    )


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    """List the inspector's assigned visits: open ones first, then recorded ones."""
    require_role(request.user, Role.INSPECTOR)
    done = Paginator(selectors.inspector_done_visits(request.user), 20)
    return render(
        request,
        "verification/my_visits.html",
        {
            "open_visits": selectors.inspector_open_visits(request.user),
            "done_page": done.get_page(request.GET.get("page")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_home_check(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    require_role(request.user, Role.INSPECTOR)
    visit = claim.current_visit
    if visit is None or visit.inspector_id != request.user.pk:
        raise PermissionDenied
    data = posted_data(request)
    form = HomeCheckForm(data, household=claim.household)
    formset = IncomeFormSet(data, prefix="income")
    if data is not None and form.is_valid() and formset.is_valid():
        rows = formset.filled_forms()
        try:
            record = services.record_verification(
                user=request.user,
                claim_id=claim.pk,
                income=[
                    services.IncomeLine(
                        category=row.cleaned_data["category"],
                        amount=row.cleaned_data["amount"],
                        description=row.cleaned_data["description"],
                    )
                    for row in rows
                ],
                **form.cleaned_data,
            )
        except ServiceError as error:
            _show_error(form, rows, error)
        else:
            messages.success(request, record.reason)
            return redirect("verification:detail", pk=record.pk)
    unavailable = None
    if claim.status != Status.SCHEDULED:
        unavailable = step_unavailable(claim, "verify_eligible")
    return render(
        request,
        "verification/home_check.html",
        {
            "claim": claim,
            "visit": visit,
            "form": form,
            "formset": formset,
            "unavailable": unavailable,
        },
    )


def _show_error(form: HomeCheckForm, rows: list, error: ServiceError) -> None:
    """Attach an error to the income row it names (``income[2].amount``) or to
    the main form."""
    match = INCOME_FIELD.match(error.field or "")
    if match:
        index, field = int(match.group(1)), match.group(2)
        if 1 <= index <= len(rows) and field in rows[index - 1].fields:
            rows[index - 1].add_error(field, error.message)
            return
    add_service_error(form, error)


@dataclass
class DecisionRow:
    title: str
    detail: str
    passed: bool | None


@login_required
def verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.verification_for_user(request.user, pk)
    if record is None:
        raise Http404
    return render(
        request,
        "verification/detail.html",
        {
            "record": record,
            "claim": record.claim,
            "rows": decision_rows(record),
            "income_line": stored_income_line(record),
        },
    )


def stored_income_line(record: Verification) -> str:
    """Return the income line the decision was made against, as stored with it."""
    for step in record.decision.get("steps", []):
        if step.get("check") == "income_line":
            return step["income_line"]
    return str(record.policy.income_line)


def decision_rows(record: Verification) -> list[DecisionRow]:
    """Turn the decision's stored comparisons into sentences for the page."""
    rows = []
    for step in record.decision.get("steps", []):
        check = step.get("check")
        passed = {"True": True, "False": False}.get(step.get("passed", ""))
        if check == "per_capita_income":
            detail = _(
                "(income %(gross)s − production costs %(costs)s − rigid "
                "expenditure %(rigid)s) ÷ %(members)s members who count = "
                "%(income)s yuan"
            ) % {
                "gross": step["gross_income"],
                "costs": step["production_costs"],
                "rigid": step["rigid_expenditure"],
                "members": step["counted_members"],
                "income": step["per_capita_income"],
            }
            rows.append(DecisionRow(_("Per-capita net income"), detail, None))
        elif check == "income_line":
            detail = _(
                "%(income)s yuan per person against the income line of %(line)s yuan"
            ) % {"income": step["per_capita_income"], "line": step["income_line"]}
            rows.append(DecisionRow(_("At or below the income line"), detail, passed))
        elif check == "burden_rule":
            stable = _("yes") if step["stable_income"] == "True" else _("no")
            detail = _(
                "Stable income: %(stable)s. Rigid expenditure %(rigid)s yuan "
                "against income before the shock %(before)s yuan × %(ratio)s"
            ) % {
                "stable": stable,
                "rigid": step["rigid_expenditure"],
                "before": step["income_before_shock"],
                "ratio": step["burden_ratio"],
            }
            rows.append(DecisionRow(_("Burden rule"), detail, passed))
    return rows
