"""REST API for claims: list, detail, and the steps that need only a note.

Every query starts from ``visible_claims``, so a claim outside the user's
area or role is absent from lists and returns 404. Business errors come back
as ``ServiceError.as_dict()`` with the error's HTTP status (see
``relief.api_errors``).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from claims import services
from claims.models import Claim, Status
from claims.selectors import visible_claims
from claims.serializers import (
    ClaimDetailSerializer,
    ClaimSerializer,
    ErrorSerializer,
    TransitionSerializer,
)
from payouts.models import Cause
from relief.errors import ServiceError

FILTERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        description="Only claims in this status; several may be given, "
        "separated by commas.",
        enum=Status.values,
    ),
    OpenApiParameter(
        "cause",
        OpenApiTypes.STR,
        description="Only claims of this cause.",
        enum=Cause.values,
    ),
]


def _filter_values(request: Request, name: str, allowed: list[str]) -> list[str]:
    """Return the comma-separated values of a query parameter, all checked."""
    raw = request.query_params.get(name, "")
    values = [value.strip() for value in raw.split(",") if value.strip()]
    for value in values:
        if value not in allowed:
            raise ServiceError(
                _("Unknown %(field)s: %(value)s") % {"field": name, "value": value},
                code="invalid_filter",
                field=name,
                value=value,
            )
    return values


@extend_schema_view(
    list=extend_schema(
        parameters=FILTERS,
        summary="Claims the user may see",
        responses={200: ClaimSerializer(many=True), 400: ErrorSerializer},
    ),
    retrieve=extend_schema(summary="One claim with its household and payout"),
)
class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self) -> QuerySet[Claim]:
        claims = visible_claims(self.request.user).order_by("-created_at", "-id")
        if self.action == "list":
            statuses = _filter_values(self.request, "status", Status.values)
            if statuses:
                claims = claims.filter(status__in=statuses)
            causes = _filter_values(self.request, "cause", Cause.values)
            if causes:
                claims = claims.filter(cause__in=causes)
        else:
            claims = claims.select_related("payment")
        return claims

    def get_serializer_class(self):
        if self.action == "list":
            return ClaimSerializer
        if self.action == "transitions":
            return TransitionSerializer
        return ClaimDetailSerializer

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: ClaimDetailSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Take a step that needs only a note",
        description="Steps: " + ", ".join(sorted(services.SIMPLE_STEPS)) + ". "
        "screen_out, reject and withdraw need a note giving the reason.",
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.take_step(
            user=request.user,
            claim_id=claim.pk,
            step=payload.validated_data["step"],
            note=payload.validated_data["note"],
        )
        claim = self.get_object()
        return Response(
            ClaimDetailSerializer(claim, context=self.get_serializer_context()).data
        )
