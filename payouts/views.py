"""Pages for approving and paying payouts, the fund's ledger and certificates.

Claim pages find the claim through ``visible_claims`` (404 for a claim the
user may not see) and refuse a user of the wrong role with 403. Every change
goes through ``payouts.services``; a service's error, such as an exhausted
fund, is shown on the page and nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from claims.models import Status
from claims.selectors import visible_claims
from payouts import selectors, services
from payouts.forms import (
    AppropriationForm,
    ApproveForm,
    CancelApprovalForm,
    CertificateCheckForm,
    LedgerFilterForm,
    MarkPaidForm,
)
from payouts.models import Fund
from registry.models import Role
from relief.errors import ServiceError
from relief.views import add_service_error, posted_data, require_role, step_unavailable


@login_required
@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Show what approval would reserve, then approve (poverty office)."""
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    require_role(request.user, Role.POVERTY_OFFICE)
    form = ApproveForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.approve_claim(
                user=request.user, claim_id=claim.pk, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Claim %(number)s approved; %(amount)s yuan reserved in the fund.")
                % {"number": claim.number, "amount": payment.amount},
            )
            return redirect("payouts:payment", pk=claim.pk)
    # Past approval the household's cap already counts this claim's own
    # payout, so a fresh computation would mislead; the payout page shows it.
    preview = None
    unavailable = None
    if claim.status == Status.NOTICE_PASSED:
        preview = selectors.payout_preview(claim)
    else:
        unavailable = step_unavailable(claim, "approve")
    return render(
        request,
        "payouts/approve.html",
        {
            "claim": claim,
            "form": form,
            "preview": preview,
            "payment": selectors.payment_of(claim),
            "unavailable": unavailable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel_approval(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an unpaid approval with a reason (poverty office)."""
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    require_role(request.user, Role.POVERTY_OFFICE)
    form = CancelApprovalForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.cancel_approval(
                user=request.user, claim_id=claim.pk, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Approval of claim %(number)s cancelled; %(amount)s yuan released.")
                % {"number": claim.number, "amount": payment.amount},
            )
            return redirect("payouts:payment", pk=claim.pk)
    unavailable = None
    if claim.status != Status.APPROVED:
        unavailable = step_unavailable(claim, "cancel_approval")
    return render(
        request,
        "payouts/cancel_approval.html",
        {
            "claim": claim,
            "form": form,
            "payment": selectors.payment_of(claim),
            "unavailable": unavailable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the bank transfer of an approved payout (insurer coordinator).

    Submitting again for a paid claim changes nothing, and the message states
    that it was already paid.
    """
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    require_role(request.user, Role.INSURER_COORDINATOR)
    form = MarkPaidForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        was_paid = claim.status == Status.PAID
        try:
            payment = services.mark_paid(
                user=request.user,
                claim_id=claim.pk,
                bank_reference=form.cleaned_data["bank_reference"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if was_paid:
                message = _(
                    "Claim %(number)s was already paid (bank reference "
                    "%(reference)s); nothing was changed."
                )
            else:
                message = _(
                    "Claim %(number)s marked paid (bank reference %(reference)s)."
                )
            messages.success(
                request,
                message % {"number": claim.number, "reference": payment.bank_reference},
            )
            return redirect("payouts:payment", pk=claim.pk)
    unavailable = None
    if claim.status not in (Status.APPROVED, Status.PAID):
        unavailable = step_unavailable(claim, "mark_paid")
    return render(
        request,
        "payouts/mark_paid.html",
        {
            "claim": claim,
            "form": form,
            "payment": selectors.payment_of(claim),
            "unavailable": unavailable,
        },
    )


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the claim's payout: computation, status, ledger entries, certificate."""
    claim = get_object_or_404(visible_claims(request.user), pk=pk)
    payment = selectors.payment_of(claim)
    if payment is None:
        raise Http404
    return render(
        request,
        "payouts/payment.html",
        {
            "claim": claim,
            "payment": payment,
            "entries": payment.entries.select_related("created_by").order_by(
                "created_at", "id"
            ),
            "rows": selectors.slice_rows(payment.computation.get("slices", [])),
        },
    )


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *selectors.FUND_ROLES)
    return render(
        request,
        "payouts/funds.html",
        {"funds": selectors.visible_funds(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a fund's totals and ledger, and let the poverty office top it up."""
    require_role(request.user, *selectors.FUND_ROLES)
    fund = get_object_or_404(selectors.visible_funds(request.user), pk=pk)
    form = None
    if services.may_appropriate(request.user):
        form = AppropriationForm(posted_data(request))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if _appropriate(request, fund, form):
            return redirect("payouts:fund", pk=fund.pk)

    filters = LedgerFilterForm(request.GET or None)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
    entries = selectors.ledger_entries(fund, kind)
    return render(
        request,
        "payouts/fund.html",
        {
            "fund": fund,
            "form": form,
            "filters": filters,
            "page": Paginator(entries, 25).get_page(request.GET.get("page")),
            "query": f"kind={kind}" if kind else "",
        },
    )


def _appropriate(request: HttpRequest, fund: Fund, form: AppropriationForm) -> bool:
    """Record the top-up in the form; return whether it was saved."""
    if not form.is_valid():
        return False
    try:
        entry = services.appropriate(
            user=request.user,
            fund_id=fund.pk,
            amount=form.cleaned_data["amount"],
            reference=form.cleaned_data["reference"],
        )
    except ServiceError as error:
        add_service_error(form, error)
        return False
    messages.success(
        request,
        _("%(amount)s yuan added to %(fund)s (document %(reference)s).")
        % {"amount": entry.amount, "fund": fund.name, "reference": entry.reference},
    )
    return True


@login_required
def certificate_pdf(
    request: HttpRequest, claim_pk: int | None = None, certificate_pk: int | None = None
) -> HttpResponse:
    """Send the payout certificate's PDF, or a page stating that it is being
    prepared."""
    certificate = selectors.downloadable_certificate(
        request.user, claim_pk=claim_pk, certificate_pk=certificate_pk
    )
    if certificate is None:
        raise Http404
    if not certificate.pdf:
        return render(
            request,
            "payouts/certificate_pending.html",
            {"certificate": certificate, "claim": certificate.payment.claim},
            status=202,
        )
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


def check_certificate(request: HttpRequest) -> HttpResponse:
    """Public page: is a certificate with this number and code genuine?

    It shows only the head's surname, the amount and the payment date.
    """
    form = CertificateCheckForm(request.GET or None)
    result = None
    if form.is_valid():
        certificate = selectors.find_certificate(
            form.cleaned_data["number"], form.cleaned_data["code"]
        )
        if certificate is not None:
            payment = certificate.payment
            head = payment.claim.household.head
            result = {
                "name": selectors.mask_name(head.name if head else ""),
                "amount": payment.amount,
                "date": payment.paid_at,
            }
    return render(
        request,
        "payouts/check_certificate.html",
        {"form": form, "checked": form.is_bound and form.is_valid(), "result": result},
    )
