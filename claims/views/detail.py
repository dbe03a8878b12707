"""The claim page, its simple steps and the village deliberation form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from claims import services
from claims.forms import DeliberationForm, DocumentForm, attach_service_error
from claims.models import Claim, ObjectionStatus, Status
from claims.selectors import claim_timeline
from claims.views.common import (
    forbidden,
    get_visible_claim,
    report_error,
    role_refusal,
)
from payouts.models import Policy
from registry.models import Role
from relief.errors import PermissionRefused, ServiceError

# Button text of each step the claim page offers, in the order shown.
STEP_BUTTONS = {
    "review_in_village": gettext_lazy("Confirm village review"),
    "review_in_town": gettext_lazy("Confirm town review"),
    "screen_in": gettext_lazy("Keep for a home check"),
    "screen_out": gettext_lazy("Screen out"),
    "refer": gettext_lazy("Refer to the insurer"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw"),
}


def available_steps(claim: Claim, user) -> list[dict]:
    """Return the simple steps this user may take on the claim now."""
    allowed = {
        transition.name
        for transition in claim.get_available_user_status_transitions(user)
    }
    return [
        {
            "name": name,
            "label": label,
            "needs_reason": name in services.STEPS_NEEDING_REASON,
        }
        for name, label in STEP_BUTTONS.items()
        if name in allowed and name in services.SIMPLE_STEPS
    ]


def may_take(claim: Claim, user, transition: str) -> bool:
    method = getattr(claim, transition)
    return can_proceed(method) and has_transition_perm(method, user)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_visible_claim(request, pk)
    user = request.user
    household = claim.household
    entries = list(
        claim.notice_entries.select_related("notice").prefetch_related("objections")
    )
    open_entry = next(
        (
            entry
            for entry in reversed(entries)
            if entry.notice.is_open and claim.status == Status.ON_NOTICE
        ),
        None,
    )
    try:
        payment = claim.payment
    except ObjectDoesNotExist:
        payment = None
    steps = available_steps(claim, user)
    context = {
        "claim": claim,
        "household": household,
        "members": household.members.all(),
        "documents": claim.documents.select_related("uploaded_by"),
        "timeline": claim_timeline(claim),
        "verifications": claim.verifications.select_related("inspector"),
        "deliberations": claim.deliberations.select_related("recorded_by"),
        "entries": entries,
        "payment": payment,
        "steps": steps,
        "progress_steps": [step for step in steps if not step["needs_reason"]],
        "closing_steps": [step for step in steps if step["needs_reason"]],
        "may_deliberate": may_take(claim, user, "record_deliberation"),
        "may_post_notice": may_take(claim, user, "post_notice"),
        "may_record_objection": open_entry is not None
        and user.has_role(Role.VILLAGE_CLERK, Role.POVERTY_OFFICE),
        "may_resolve_objections": user.has_role(Role.POVERTY_OFFICE),
        "may_add_documents": not claim.is_final and user.has_role(Role.VILLAGE_CLERK),
        "document_form": DocumentForm(),
        "pending": ObjectionStatus.PENDING,
    }
    return render(request, "claims/detail.html", context)


@login_required
@require_POST
def take_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply one simple step (the ``step`` button) with the ``note`` text."""
    claim = get_visible_claim(request, pk)
    step = request.POST.get("step", "")
    note = request.POST.get("note", "")
    try:
        claim = services.take_step(
            user=request.user, claim_id=claim.pk, step=step, note=note
        )
    except PermissionRefused as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        report_error(request, error)
        return redirect("claims:detail", pk=claim.pk)
    messages.success(
        request,
        _("Claim %(number)s is now “%(status)s”.")
        % {"number": claim.number, "status": claim.get_status_display()},
    )
    return redirect("claims:detail", pk=claim.pk)


@login_required
def deliberation(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the village meeting's vote on the claim (village clerks only)."""
    claim = get_visible_claim(request, pk)
    refusal = role_refusal(request, Role.VILLAGE_CLERK)
    if refusal:
        return refusal
    if claim.status != Status.VERIFIED:
        messages.error(
            request,
            _("Claim %(number)s is “%(status)s”; only verified claims are deliberated.")
            % {"number": claim.number, "status": claim.get_status_display()},
        )
        return redirect("claims:detail", pk=claim.pk)
    if request.method != "POST":
        form = DeliberationForm(initial={"held_on": timezone.localdate()})
        return _render_deliberation(request, claim, form)

    form = DeliberationForm(request.POST)
    if not form.is_valid():
        return _render_deliberation(request, claim, form)
    try:
        record = services.record_deliberation(
            user=request.user, claim_id=claim.pk, **form.cleaned_data
        )
    except PermissionRefused as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        attach_service_error(form, error)
        return _render_deliberation(request, claim, form)
    if record.passed:
        messages.success(
            request,
            _("The deliberation passed; claim %(number)s may go on a public notice.")
            % {"number": claim.number},
        )
    else:
        messages.warning(
            request,
            _("The deliberation did not pass; claim %(number)s is rejected.")
            % {"number": claim.number},
        )
    return redirect("claims:detail", pk=claim.pk)


def _render_deliberation(request, claim: Claim, form: DeliberationForm):
    policy = Policy.objects.filter(year=claim.policy_year).first()
    return render(
        request,
        "claims/deliberation.html",
        {"claim": claim, "form": form, "policy": policy},
    )
