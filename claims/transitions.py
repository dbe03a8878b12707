"""Locking a claim and applying one of its transitions.

Every service that changes a claim's status goes through ``apply_transition``
inside its own transaction, after ``lock_claim``. Locks are always taken in
the same order: claim, household, payment, fund.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from django_fsm_log.models import StateLog

from claims.models import Claim
from registry.models import User
from relief.errors import PermissionRefused, TransitionRefused


def lock_claim(claim_id: int) -> Claim:
    """Return the claim with its row locked until the transaction ends.

    The caller must be inside ``transaction.atomic``. A second user acting on
    the same claim waits here, then reads the status the first one left.
    """
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("household__village")
        .get(pk=claim_id)
    )


def apply_transition(
    claim: Claim, name: str, user: User | None, note: str = ""
) -> None:
    """Run the transition ``name`` for ``user`` and save the claim.

    ``user`` is None only for scheduled duties, which no person may trigger.
    Raise TransitionRefused when the claim's status does not allow the step,
    PermissionRefused when the user's role or area does not.
    """
    method = getattr(claim, name)
    if not can_proceed(method):
        raise TransitionRefused(
            _("Claim %(number)s is “%(status)s”; “%(step)s” is not allowed now.")
            % {
                "number": claim.number,
                "status": claim.get_status_display(),
                "step": step_label(name),
            },
            field="status",
            value=claim.status,
        )
    if user is not None and not has_transition_perm(method, user):
        raise PermissionRefused(
            _("%(user)s may not take the step “%(step)s” on claim %(number)s.")
            % {
                "user": user.get_username(),
                "step": step_label(name),
                "number": claim.number,
            },
        )
    method(by=user, description=note)
    try:
        claim.save()
    except ConcurrentTransition as error:
        raise TransitionRefused(
            _("Claim %(number)s was changed by someone else; reload and try again.")
            % {"number": claim.number},
            code="concurrent_change",
        ) from error


def log_creation(claim: Claim, user: User, note: str = "") -> None:
    """Write the first timeline row, since creating a claim is no transition."""
    StateLog.objects.create(
        by=user,
        source_state=None,
        state=claim.status,
        transition="register",
        content_object=claim,
        description=note,
    )


STEP_LABELS = {
    "review_in_village": gettext_lazy("village review"),
    "review_in_town": gettext_lazy("town review"),
    "screen_in": gettext_lazy("screening"),
    "screen_out": gettext_lazy("screening out"),
    "refer": gettext_lazy("referral to the insurer"),
    "schedule_visit": gettext_lazy("visit scheduling"),
    "verify_eligible": gettext_lazy("verification"),
    "verify_ineligible": gettext_lazy("verification"),
    "record_deliberation": gettext_lazy("deliberation"),
    "post_notice": gettext_lazy("public notice"),
    "pass_notice": gettext_lazy("notice closing"),
    "uphold_objection": gettext_lazy("upholding an objection"),
    "approve": gettext_lazy("approval"),
    "mark_paid": gettext_lazy("payment"),
    "cancel_approval": gettext_lazy("cancelling the approval"),
    "reject": gettext_lazy("rejection"),
    "withdraw": gettext_lazy("withdrawal"),
}


def step_label(name: str) -> str:
    return str(STEP_LABELS.get(name, name))
